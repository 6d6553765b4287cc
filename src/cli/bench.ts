import type { Command } from 'commander';

/** Registers the `bench` command group (filled in by its issue). */
export function registerBenchCommands(program: Command): void {
  void program;
}
