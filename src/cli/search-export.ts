/**
 * `nasflow search export ID --storage URI [--rank K] --out DIR`: the best (or K-th best) trained
 * network of a search in the tfjs layers format (model.json + weights.bin, structural weight names)
 * with genotype.json, macro.json, recipe.json, result.json and export.json beside it
 * (src/trainer/export-trial.ts). Reads the search's storage only, so it needs no Temporal server
 * and works while the search runs, after it ended, and from s3:// as well as a local path.
 */
import type { Command } from 'commander';
import { withPrefix } from '../store/object-store.js';
import { openUri } from '../store/uri.js';

interface ExportOpts {
  storage: string;
  rank: string;
  out: string;
  json?: boolean;
}

export function registerExportCommand(program: Command): void {
  const search = program.commands.find((c) => c.name() === 'search') ?? program.command('search').description('run and steer architecture searches');
  search
    .command('export <searchId>')
    .description('save the best (or --rank K) trained network of a search as a tfjs layers model with its genotype, macro, recipe and result')
    .requiredOption('--storage <uri>', 'the search\'s storage (its spec\'s "storage"): s3://bucket/prefix, file:///path or a path')
    .requiredOption('--out <dir>', 'local directory for model.json, weights.bin and the JSON files')
    .option('--rank <k>', 'which trial by validation accuracy, 1 = best', '1')
    .option('--json', 'print a JSON summary')
    .action(async (searchId: string, opts: ExportOpts) => {
      const rank = Number(opts.rank);
      if (!Number.isInteger(rank) || rank < 1) throw new Error(`--rank must be a positive integer; received "${opts.rank}"`);
      // Loaded here: `search export --help` and a bad flag stay fast.
      const [{ exportTrial }, { loadBackend }] = await Promise.all([import('../trainer/export-trial.js'), import('../trainer/backend.js')]);
      const opened = openUri(opts.storage, process.env);
      try {
        const backend = await loadBackend(process.env.NASFLOW_TF_BACKEND, (m) => console.error(m));
        const done = await exportTrial({ tf: backend.tf, store: withPrefix(opened.store, opened.key), searchId, rank, outDir: opts.out });
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
