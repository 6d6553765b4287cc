/** Runs the preinstalled kubectl against a kubeconfig (used by the dev stack, not the product). */
import { runCommand, type CommandResult } from './run-command.js';
import { spawn } from 'node:child_process';

export function kubectl(kubeconfig: string, args: readonly string[], stdin?: string): Promise<CommandResult> {
  if (stdin === undefined) return runCommand('kubectl', ['--kubeconfig', kubeconfig, ...args], {});
  return new Promise((resolve) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', (err) => resolve({ code: 127, output: err.message }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
    child.stdin.end(stdin);
  });
}
