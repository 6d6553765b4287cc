/**
 * Following a search from the CLI until it ends: a progress bar fed by the progress query, the
 * workflow result as the end, Ctrl-C handling, and two states a user must see rather than a
 * silent bar — no worker polling the task queue, and the Temporal server gone (the client keeps
 * retrying, shows "reconnecting", and carries on when the server is back).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { SearchProgress, SearchResult } from '../common/search-types.js';
import { noWorkerMessage, workflowPollers } from '../client/task-queue.js';
import type { searchWorkflow } from '../../workflows/search.workflow.js';
import { pauseUpdate, progressQuery } from '../../workflows/search-handlers.js';
import { formatDuration, progressBar } from './progress-view.js';
import type { TemporalTarget } from './temporal-target.js';

type Handle = WorkflowHandle<typeof searchWorkflow>;

/**
 * Signals for a command that talks to Temporal. The first Ctrl-C goes to the handler the command
 * set (following a search pauses it); with none set, or on a second Ctrl-C, SIGTERM or SIGHUP, the
 * command exits at once and leaves the embedded server, which stops unless another command uses it.
 */
export class Interrupts {
  private count = 0;
  private handler: (() => void) | undefined;
  private readonly onInt = (): void => {
    this.count++;
    if (this.count === 1 && this.handler) this.handler();
    else this.exitNow(130, this.count > 1 ? 'interrupted again: exiting now' : undefined);
  };
  private readonly onTerm = (sig: NodeJS.Signals): void => this.exitNow(sig === 'SIGHUP' ? 129 : 143);

  constructor(
    private readonly target: Pick<TemporalTarget, 'leaveNow'>,
    private readonly log: (m: string) => void,
  ) {
    process.on('SIGINT', this.onInt);
    process.on('SIGTERM', this.onTerm);
    process.on('SIGHUP', this.onTerm);
  }

  onFirst(handler: (() => void) | undefined): void {
    this.handler = handler;
  }

  dispose(): void {
    process.removeListener('SIGINT', this.onInt);
    process.removeListener('SIGTERM', this.onTerm);
    process.removeListener('SIGHUP', this.onTerm);
  }

  private exitNow(code: number, message?: string): void {
    if (message) this.log(`\n${message}`);
    this.target.leaveNow?.();
    process.exit(code);
  }
}

export interface FollowOptions {
  searchId: string;
  /** Give up after the server has been unreachable this long (the search itself goes on). */
  reconnectMs: number;
  /** What the first Ctrl-C does: pause the search, or only stop following it. */
  onInterrupt: 'pause' | 'detach';
  log: (m: string) => void;
}

export type FollowEnd =
  | { kind: 'done'; result: SearchResult }
  | { kind: 'failed'; reason: string }
  | { kind: 'paused'; progress: SearchProgress }
  | { kind: 'detached' }
  | { kind: 'lost'; reason: string };

type Settled = { ok: true; r: SearchResult } | { ok: false; e: unknown };

export async function follow(handle: Handle, target: TemporalTarget, interrupts: Interrupts, opts: FollowOptions): Promise<FollowEnd> {
  const view = progressBar();
  let wake: () => void = () => undefined;
  let interrupted = false;
  interrupts.onFirst(() => {
    interrupted = true;
    wake();
  });
  let abort: AbortController | undefined;
  let pending: Promise<Settled> | undefined;
  let settled: Settled | undefined;
  let retryResultAt = 0;
  let last: SearchProgress | undefined;
  let lostAt: number | undefined;
  let workerMissing = false;
  try {
    while (!interrupted) {
      if (!pending && Date.now() >= retryResultAt) {
        const a = (abort = new AbortController());
        const p = (pending = target.client
          .withAbortSignal(a.signal, () => handle.result())
          .then(
            (r): Settled => ({ ok: true, r }),
            (e: unknown): Settled => ({ ok: false, e }),
          ));
        void p.then((s) => {
          if (pending === p) settled = s;
          wake();
        });
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1000);
      });
      if (interrupted) break;
      if (settled) {
        const s = settled;
        settled = undefined;
        pending = undefined;
        if (s.ok) {
          view.finish(s.r.progress);
          return { kind: 'done', result: s.r };
        }
        if (s.e instanceof WorkflowFailedError) {
          view.finish(last ? { ...last, phase: 'Failed' } : undefined);
          return { kind: 'failed', reason: rootCause(s.e) };
        }
        retryResultAt = Date.now() + 2000; // the long poll broke (server gone): ask again shortly
      }
      // Progress, and when it does not come, whether the server or a worker is missing.
      let reachable = true;
      try {
        const p = await target.client.withDeadline(Date.now() + 5000, () => handle.query(progressQuery));
        view.update(p);
        last = p;
        if (workerMissing) opts.log('\na worker polls the task queue now');
        workerMissing = false;
      } catch {
        try {
          const pollers = await target.client.withDeadline(Date.now() + 5000, () => workflowPollers(target.client, target.namespace, Date.now()));
          if (pollers === 0 && !workerMissing) opts.log(`\n${noWorkerMessage(target.address, target.namespace)}`);
          else if (pollers > 0 && workerMissing) opts.log('\na worker polls the task queue now');
          workerMissing = pollers === 0;
        } catch {
          reachable = false;
        }
      }
      if (reachable && lostAt !== undefined) {
        opts.log(`\nreconnected to Temporal at ${target.address} after ${formatDuration(Date.now() - lostAt)}`);
        lostAt = undefined;
      } else if (!reachable) {
        if (lostAt === undefined)
          opts.log(`\nTemporal at ${target.address} does not answer; reconnecting (giving up after ${formatDuration(opts.reconnectMs)}; --reconnect-timeout)`);
        lostAt ??= Date.now();
        view.reconnecting(Date.now() - lostAt);
        if (Date.now() - lostAt > opts.reconnectMs) {
          view.finish();
          return {
            kind: 'lost',
            reason: `Temporal at ${target.address} has not answered for ${formatDuration(Date.now() - lostAt)}; the search goes on without this client: nasflow search status ${opts.searchId}`,
          };
        }
        await sleep(1000);
      }
    }
    // Ctrl-C
    abort?.abort();
    if (opts.onInterrupt === 'detach') {
      view.finish(last);
      return { kind: 'detached' };
    }
    opts.log('\npausing the search (Ctrl-C again exits at once)');
    const progress = await handle.executeUpdate(pauseUpdate);
    view.finish(progress);
    return { kind: 'paused', progress };
  } finally {
    interrupts.onFirst(undefined);
    abort?.abort();
  }
}

/** The innermost message of a failure chain: "Activity task failed" says less than its cause. */
export function rootCause(err: Error): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}
