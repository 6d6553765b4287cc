/** One line on where PONAS's one-shot stages stand, for the CLI and the resource status. Pure. */
import type { OneShotProgress } from './search-types.js';

export function oneShotStageText(o: OneShotProgress): string {
  if (o.stage === 'meta') return 'supernet meta-training';
  if (o.stage === 'table') return `supernet table row ${o.rowsDone + 1}/${o.rows}`;
  return `training selected networks (table of ${o.rows} rows complete)`;
}
