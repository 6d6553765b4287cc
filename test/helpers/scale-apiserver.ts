/**
 * The apiserver's own request counter (`apiserver_request_total` on /metrics), read before and
 * after a scale run: the total rate and the busiest (resource, verb) pairs, so the report says who
 * loads the control plane.
 */
import { spawnSync } from 'node:child_process';

export interface RequestRate {
  what: string;
  count: number;
  perSecond: number;
}

/** Requests served so far, by "resource[/subresource] VERB". */
export function apiserverRequests(kubeconfig: string): Map<string, number> {
  const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig, 'get', '--raw', '/metrics'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`reading apiserver metrics: ${r.stderr}`);
  return parseRequestTotals(r.stdout);
}

export function parseRequestTotals(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    const key = `${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''} ${labels.verb}`;
    out.set(key, (out.get(key) ?? 0) + value);
  }
  return out;
}

export function requestRates(before: Map<string, number>, after: Map<string, number>, seconds: number, top = 6): { total: number; top: RequestRate[] } {
  const rates: RequestRate[] = [];
  let total = 0;
  for (const [what, n] of after) {
    const count = n - (before.get(what) ?? 0);
    total += count;
    if (count > 0) rates.push({ what, count, perSecond: count / seconds });
  }
  rates.sort((a, b) => b.count - a.count);
  return { total, top: rates.slice(0, top) };
}
