/** Runs the preinstalled kubectl against a kubeconfig (used by the dev stack, not the product). */
import { runCommand, type CommandResult } from './run-command.js';

export function kubectl(kubeconfig: string, args: readonly string[], stdin?: string): Promise<CommandResult> {
  return runCommand('kubectl', ['--kubeconfig', kubeconfig, ...args], { stdin });
}
