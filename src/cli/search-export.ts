/**
 * `nasflow search export ID [--storage URI] [--rank K] --out DIR`: the best (or K-th best) trained
 * network of a search in the tfjs layers format (model.json + weights.bin, structural weight names)
 * with genotype.json, macro.json, recipe.json, result.json and export.json beside it
 * (src/trainer/export-trial.ts). The trials are read from the search's storage only, so the export
 * works while the search runs, after it ended, and from s3:// as well as a local path. Without
 * `--storage` the storage URI comes from the search's workflow (its memo, written at start by
 * src/client/search-client.ts), which needs Temporal; with it, Temporal is never asked.
 */
import type { Command } from 'commander';
import { withPrefix } from '../store/object-store.js';
import { openUri } from '../store/uri.js';

interface ExportOpts {
  storage?: string;
  address?: string;
  namespace?: string;
  rank: string;
  out: string;
  final?: boolean;
  json?: boolean;
}

export function registerExportCommand(program: Command): void {
  const search = program.commands.find((c) => c.name() === 'search') ?? program.command('search').description('run and steer architecture searches');
  search
    .command('export <searchId>')
    .description('save the best (or --rank K) trained network of a search as a tfjs layers model with its genotype, macro, recipe and result')
    .option(
      '--storage <uri>',
      "the search's storage (its spec's \"storage\"): s3://bucket/prefix, file:///path or a path; default: asked of the search's workflow",
    )
    .option('--address <host:port>', 'Temporal frontend, when --storage is not given (default: $TEMPORAL_ADDRESS, else the embedded dev server)')
    .option('--namespace <ns>', 'Temporal namespace (default: $TEMPORAL_NAMESPACE or "default")')
    .requiredOption('--out <dir>', 'local directory for model.json, weights.bin and the JSON files')
    .option('--rank <k>', 'which trial by validation accuracy, 1 = best', '1')
    .option('--final', 'pick among the final trainings (spec "final": the top architectures trained again at the final size)')
    .option('--json', 'print a JSON summary')
    .action(async (searchId: string, opts: ExportOpts) => {
      const rank = Number(opts.rank);
      if (!Number.isInteger(rank) || rank < 1) throw new Error(`--rank must be a positive integer; received "${opts.rank}"`);
      // Loaded here: `search export --help` and a bad flag stay fast.
      const [{ exportTrial }, { loadBackend }] = await Promise.all([import('../trainer/export-trial.js'), import('../trainer/backend.js')]);
      const opened = openUri(opts.storage ?? (await storageOfSearch(searchId, opts)), process.env);
      try {
        const backend = await loadBackend(process.env.NASFLOW_TF_BACKEND, (m) => console.error(m));
        const done = await exportTrial({
          tf: backend.tf,
          store: withPrefix(opened.store, opened.key),
          searchId,
          rank,
          final: opts.final ?? false,
          outDir: opts.out,
        });
        const { weightNames, ...summary } = done;
        if (opts.json) console.log(JSON.stringify({ ...summary, weights: weightNames.length }));
        else
          console.log(
            `exported trial ${done.trialId} (rank ${done.rank}, val accuracy ${done.accuracy.toFixed(2)}%) from ${done.checkpoint} to ${done.outDir}: ${done.files.join(', ')}`,
          );
      } finally {
        opened.close();
      }
    });
}

/** The storage URI the search's workflow was started with (memo `spec.storage`); `search report` asks the same way. */
export async function storageOfSearch(searchId: string, opts: Pick<ExportOpts, 'address' | 'namespace'>): Promise<string> {
  const [{ connectTemporal }, { searchHandle }, { WorkflowNotFoundError }] = await Promise.all([
    import('./temporal-target.js'),
    import('../client/search-client.js'),
    import('@temporalio/client'),
  ]);
  const target = await connectTemporal(opts, process.env, (m) => console.error(m));
  try {
    const memo = (await searchHandle(target.client, searchId).describe()).memo as { spec?: { storage?: unknown } } | undefined;
    const storage = memo?.spec?.storage;
    if (typeof storage !== 'string') throw new Error(`search ${searchId}: its workflow records no storage URI; pass --storage <uri> (the spec's "storage")`);
    return storage;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new Error(
        `search ${searchId} is not known to Temporal at ${target.address} (namespace ${target.namespace}); check the id, or pass --storage <uri> (the spec's "storage")`,
      );
    }
    throw err;
  } finally {
    await target.close();
  }
}
