/**
 * `nasflow search validate SPEC [--resource]`: checks a spec the way `search run` and the operator
 * would, prints it with every default applied (YAML 1.1-safe, so kubectl reads it back the same), or
 * prints each problem as `field: problem` and exits 1. Starts nothing: no server, no worker.
 */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { problemLines } from './spec-document.js';
import { checkSpecText, readSpecText } from './spec-file.js';

export function registerValidateCommand(program: Command): void {
  const search = program.commands.find((c) => c.name() === 'search') ?? program.command('search').description('run and steer architecture searches');
  search
    .command('validate <spec>')
    .description('check a search spec file and print it with every default applied, or its errors (field: problem); starts nothing')
    .option('--resource', 'the file is a NeuralArchitectureSearch manifest (what kubectl apply takes); any other kind is an error')
    .action((path: string, opts: { resource?: boolean }) => {
      const checked = checkSpecText(readSpecText(path), opts);
      if (!checked.value) {
        process.stderr.write(
          `${path}: invalid ${opts.resource ? 'NeuralArchitectureSearch resource' : 'search spec'}:\n${problemLines(checked.problems)
            .map((l) => `  ${l}\n`)
            .join('')}`,
        );
        process.exitCode = 1;
        return;
      }
      const shown = checked.resource ? checked.resource.manifest : checked.value;
      process.stdout.write(stringify(shown, { version: '1.1', lineWidth: 0 }));
    });
}
