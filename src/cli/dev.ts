import type { Command } from 'commander';

/** Registers `nasflow dev …` (tools, up, down, status). */
export function registerDevCommands(program: Command): void {
  void program;
}
