/**
 * The `nasflow` command line. Each command group lives in its own module and registers itself
 * on the root program, so the groups stay independent of each other.
 */
import { Command } from 'commander';
import { registerDevCommands } from './dev.js';
import { registerZooCommands } from './zoo.js';
import { registerBenchCommands } from './bench.js';
import { registerTrainCommands } from './train.js';
import { registerSearchCommands } from './search.js';
import { registerOperatorCommands } from './operator.js';

const program = new Command('nasflow')
  .description('Neural architecture search on Temporal and Kubernetes')
  .showHelpAfterError()
  .version('0.1.0');

registerDevCommands(program);
registerZooCommands(program);
registerBenchCommands(program);
registerTrainCommands(program);
registerSearchCommands(program);
registerOperatorCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
