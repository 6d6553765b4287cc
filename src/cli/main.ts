/**
 * The `nasflow` command line. Each command group lives in its own module and registers itself
 * on the root program, so the groups stay independent of each other.
 *
 * Groups are imported lazily: a command loads only its own group's module, so a short-lived
 * process (a benchmark trial, `dev status`) does not pay for TensorFlow.js or the Temporal worker.
 */
import { Command } from 'commander';

type Register = (program: Command) => void;

let searchGroup: Promise<Register> | undefined;
/** The search group: run/steer commands plus `search validate`, `search export` and `search report` (their own modules, which need no Temporal). */
const loadSearchGroup = (): Promise<Register> =>
  (searchGroup ??= Promise.all([import('./search.js'), import('./search-validate.js'), import('./search-export.js'), import('./search-report.js')]).then(
    ([run, validate, exporter, report]) =>
      (program: Command) => {
        run.registerSearchCommands(program);
        validate.registerValidateCommand(program);
        exporter.registerExportCommand(program);
        report.registerReportCommand(program);
      },
  ));

const GROUPS: Record<string, () => Promise<Register>> = {
  dev: async () => (await import('./dev.js')).registerDevCommands,
  zoo: async () => (await import('./zoo.js')).registerZooCommands,
  latency: async () => (await import('./latency.js')).registerLatencyCommands,
  bench: async () => (await import('./bench.js')).registerBenchCommands,
  train: async () => (await import('./train.js')).registerTrainCommands,
  trial: async () => (await import('./trial-pack.js')).registerTrialCommands,
  dataset: async () => (await import('./train.js')).registerTrainCommands,
  search: loadSearchGroup,
  worker: loadSearchGroup,
  operator: async () => (await import('./operator.js')).registerOperatorCommands,
  image: async () => (await import('./image.js')).registerImageCommands,
  doctor: async () => (await import('./doctor.js')).registerDoctorCommands,
  'bench-trial': async () => (await import('./bench-trial.js')).registerBenchTrialCommand,
};

const program = new Command('nasflow').description('Neural architecture search on Temporal and Kubernetes').showHelpAfterError().version('0.1.0');

/** Subcommands that load on their own, without their group's heavy modules (`search validate` needs no Temporal SDK). */
const LIGHT: Record<string, () => Promise<Register>> = {
  'search validate': async () => (await import('./search-validate.js')).registerValidateCommand,
  'search export': async () => (await import('./search-export.js')).registerExportCommand,
  'search report': async () => (await import('./search-report.js')).registerReportCommand,
};

const wanted = LIGHT[process.argv.slice(2, 4).join(' ')] ?? GROUPS[process.argv[2] ?? ''];
const registers = wanted ? [await wanted()] : await Promise.all([...new Set(Object.values(GROUPS))].map((load) => load()));
for (const register of new Set(registers)) register(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
