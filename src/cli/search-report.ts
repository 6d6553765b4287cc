/**
 * `nasflow search report ID [--storage URI] [--out report.html]`: one self-contained HTML page about
 * a search (src/report/search-report.ts), drawn from its storage alone (src/search/trial-records.ts),
 * so it works while the search runs, after it ended, and from s3:// as well as a local path. Without
 * `--storage` the storage URI comes from the search's workflow, as for `search export`.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { renderSearchReport } from '../report/search-report.js';
import { readTrialRecords } from '../search/trial-records.js';
import { withPrefix } from '../store/object-store.js';
import { openUri } from '../store/uri.js';
import { storageOfSearch } from './search-export.js';

interface ReportOpts {
  storage?: string;
  address?: string;
  namespace?: string;
  out: string;
}

export function registerReportCommand(program: Command): void {
  const search = program.commands.find((c) => c.name() === 'search') ?? program.command('search').description('run and steer architecture searches');
  search
    .command('report <searchId>')
    .description(
      'write one self-contained HTML page about a search: best so far, accuracy against cost with the Pareto front, a sortable trial table, the top cells',
    )
    .option(
      '--storage <uri>',
      "the search's storage (its spec's \"storage\"): s3://bucket/prefix, file:///path or a path; default: asked of the search's workflow",
    )
    .option('--address <host:port>', 'Temporal frontend, when --storage is not given (default: $TEMPORAL_ADDRESS, else the embedded dev server)')
    .option('--namespace <ns>', 'Temporal namespace (default: $TEMPORAL_NAMESPACE or "default")')
    .option('--out <file>', 'where to write the HTML page', 'report.html')
    .action(async (searchId: string, opts: ReportOpts) => {
      const opened = openUri(opts.storage ?? (await storageOfSearch(searchId, opts)), process.env);
      try {
        const store = withPrefix(opened.store, opened.key);
        const trials = await readTrialRecords(store, searchId);
        if (trials.length === 0) {
          throw new Error(
            `search ${searchId} has no trial under ${store.describe(`searches/${searchId}/trials`)}; check the search id and --storage (the spec's "storage")`,
          );
        }
        const out = resolve(opts.out);
        await writeFile(out, renderSearchReport({ searchId, generatedAt: new Date().toISOString(), trials }));
        console.log(`wrote the report of ${trials.length} trials to ${out}`);
      } finally {
        opened.close();
      }
    });
}
