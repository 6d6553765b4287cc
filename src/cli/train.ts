import type { Command } from 'commander';

/** Registers the `train` command group (filled in by its issue). */
export function registerTrainCommands(program: Command): void {
  void program;
}
