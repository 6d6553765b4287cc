import type { Command } from 'commander';

/** Registers the `zoo` command group (filled in by its issue). */
export function registerZooCommands(program: Command): void {
  void program;
}
