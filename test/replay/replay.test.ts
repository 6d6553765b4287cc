import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { WORKFLOWS_PATH } from '../../src/worker/worker.js';

Runtime.install({ logger: new DefaultLogger('WARN') });

const FIXTURES = fileURLToPath(new URL('../../../test/replay/fixtures/', import.meta.url));
const DIVERGED = fileURLToPath(new URL('./fixtures/diverged.workflow.js', import.meta.url));

/** Histories as the JSON the Temporal CLI writes; the replay worker converts them itself. */
function histories(): { workflowId: string; history: unknown }[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: JSON.parse(readFileSync(`${FIXTURES}${f}`, 'utf8')) as unknown }));
}

describe('replay of recorded search histories', () => {
  it('has recorded histories to replay (random, evolution with continue-as-new, RL, PNAS, controls, PONAS one-shot, deadline)', () => {
    const names = histories().map((h) => h.workflowId);
    for (const name of ['random', 'evolution-continue-as-new', 'nasnet-rl', 'pnas', 'controls', 'ponas-one-shot', 'deadline'])
      assert.ok(names.includes(name), `missing fixture ${name}`);
  });

  it('replays every recorded history against the current workflow code without nondeterminism', async () => {
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, histories() as never)) {
      assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}`);
      replayed++;
    }
    assert.equal(replayed, histories().length);
  });

  it('catches a workflow change that would break running searches', async () => {
    const [first] = histories();
    assert.ok(first, 'no recorded histories to replay');
    await assert.rejects(
      Worker.runReplayHistory({ workflowsPath: DIVERGED }, first.history, first.workflowId),
      (err: unknown) => err instanceof DeterminismViolationError,
    );
  });
});
