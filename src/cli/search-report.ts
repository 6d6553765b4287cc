/**
 * `nasflow search report [ID] [--storage URI | --resource ns/name] [--out report.html]`: one
 * self-contained HTML page about a search (src/report/search-report.ts), drawn from its storage
 * alone (src/search/trial-records.ts, src/search/search-state.ts), so it works while the search
 * runs, after it ended, and from s3:// as well as a local path. Without `--storage` the storage URI
 * comes from the search's workflow, as for `search export`; with `--resource` the search id and
 * storage come from a NeuralArchitectureSearch resource (kubeconfig: KUBECONFIG, as the operator).
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { renderSearchReport } from '../report/search-report.js';
import { readLatestState } from '../search/search-state.js';
import { readTrialRecords } from '../search/trial-records.js';
import { withPrefix } from '../store/object-store.js';
import { openUri } from '../store/uri.js';
import { storageOfSearch } from './search-export.js';

interface ReportOpts {
  storage?: string;
  resource?: string;
  address?: string;
  namespace?: string;
  out: string;
}

interface Target {
  searchId: string;
  storage: string;
  /** Set for --resource: where the id and storage came from, and what to say when the store cannot be read. */
  source?: string;
  storageHint?: string;
}

/** The search id and storage the flags name (a resource is read from the apiserver). */
async function targetOf(searchId: string | undefined, opts: ReportOpts): Promise<Target> {
  if (opts.resource !== undefined) {
    if (searchId !== undefined) throw new Error('search report: pass a search id or --resource <namespace>/<name>, not both');
    if (!process.env.KUBECONFIG && !process.env.KUBERNETES_SERVICE_HOST) {
      throw new Error("--resource: no kubeconfig; set KUBECONFIG to the cluster's kubeconfig file (in a pod the service account is used)");
    }
    const [{ KubeAdapter, loadKubeConfig }, { readReportTarget }] = await Promise.all([import('../kube/adapter.js'), import('../kube/report-target.js')]);
    const kc = loadKubeConfig(process.env);
    const t = await readReportTarget(new KubeAdapter(kc), kc.getCurrentCluster()?.server ?? 'the configured apiserver', opts.resource);
    const creds = t.secret ? `the credentials of Secret ${t.secret} (trial pods use them)` : 'credentials that can read it';
    return {
      searchId: t.searchId,
      storage: opts.storage ?? t.storage,
      source: t.source,
      storageHint: `the report reads it with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and NASFLOW_S3_ENDPOINT: set them to ${creds}, or pass --storage <uri> for a copy`,
    };
  }
  if (searchId === undefined) throw new Error('search report: pass a search id (nasflow search list) or --resource <namespace>/<name>');
  return { searchId, storage: opts.storage ?? (await storageOfSearch(searchId, opts)) };
}

export function registerReportCommand(program: Command): void {
  const search = program.commands.find((c) => c.name() === 'search') ?? program.command('search').description('run and steer architecture searches');
  search
    .command('report [searchId]')
    .description(
      "write one self-contained HTML page about a search: best so far, accuracy against cost with the Pareto front, the algorithm's own panel (RL controller, PNAS surrogate, PONAS table), trials over workers, a sortable trial table, the top cells and networks",
    )
    .option(
      '--storage <uri>',
      "the search's storage (its spec's \"storage\"): s3://bucket/prefix, file:///path or a path; default: asked of the search's workflow (or the resource)",
    )
    .option(
      '--resource <namespace/name>',
      'report on a NeuralArchitectureSearch resource: its search id and storage come from the resource (kubeconfig: $KUBECONFIG)',
    )
    .option('--address <host:port>', 'Temporal frontend, when --storage is not given (default: $TEMPORAL_ADDRESS, else the embedded dev server)')
    .option('--namespace <ns>', 'Temporal namespace (default: $TEMPORAL_NAMESPACE or "default")')
    .option('--out <file>', 'where to write the HTML page', 'report.html')
    .action(async (searchIdArg: string | undefined, opts: ReportOpts) => {
      const target = await targetOf(searchIdArg, opts);
      const { searchId } = target;
      const opened = openUri(target.storage, process.env);
      try {
        const store = withPrefix(opened.store, opened.key);
        const read = async <T>(what: () => Promise<T>): Promise<T> => {
          try {
            return await what();
          } catch (err) {
            if (!target.storageHint) throw err;
            throw new Error(
              `cannot read the storage ${target.storage} of ${target.source}: ${err instanceof Error ? err.message : String(err)}; ${target.storageHint}`,
            );
          }
        };
        const trials = await read(() => readTrialRecords(store, searchId));
        if (trials.length === 0) {
          const where = target.source ? `${target.source}'s spec.storage` : 'the spec\'s "storage"';
          throw new Error(
            `search ${searchId} has no trial under ${store.describe(`searches/${searchId}/trials`)}; check the search id and --storage (${where})`,
          );
        }
        const latest = await read(() => readLatestState(store, searchId));
        const out = resolve(opts.out);
        const page = renderSearchReport({
          searchId,
          generatedAt: new Date().toISOString(),
          trials,
          ...(latest ? { state: latest.state } : {}),
          ...(target.source ? { source: target.source } : {}),
        });
        await writeFile(out, page);
        console.log(`wrote the report of ${trials.length} trials to ${out}`);
      } finally {
        opened.close();
      }
    });
}
