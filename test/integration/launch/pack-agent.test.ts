/**
 * The pack agent (`nasflow trial pack`, spec trial.perGpu > 1) with real processes and a real
 * local store: it runs every assignment, never more than `slots` trainers at once (checked from
 * the trainers' own start/end stamps, not from the agent's count), records each exit, stops only
 * the trainer whose cancel was asked, and closes after an idle spell. The trainer is a shell
 * stand-in whose run time and exit code come from its spec URI (the agent never reads the spec).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../../src/store/local-store.js';
import { getJson, putJson, type ObjectStore } from '../../../src/store/object-store.js';
import { PACK_CLOSED, packExitSchema, packRecordKey, type PackAssignment } from '../../../src/api/pack-layout.js';
import { attemptKey } from '../../../src/kube/pack-slots.js';
import { runPackAgent, type PackAgentOptions } from '../../../src/launch/pack-agent.js';
import { eventually, TIMEOUTS } from '../../helpers/wait.js';

/** $2 is the spec URI, ending in `<name>-sleep-<seconds>-exit-<code>`. */
const TRAINER = [
  'name=$(basename "$2"); s=${name#*-sleep-}; s=${s%%-*}; code=${name##*-exit-}',
  // The sleep is killed too: an orphan would hold the agent's output pipe open until it ends.
  'trap \'kill $! 2>/dev/null; echo "end $(date +%s%N) $name" >> "$STAMPS"; echo "checkpointed $name"; exit 75\' TERM',
  'echo "start $(date +%s%N) $name" >> "$STAMPS"',
  'sleep "$s" & wait $!',
  'echo "end $(date +%s%N) $name" >> "$STAMPS"',
  'echo "trainer output of $name"',
  'exit "$code"',
].join('\n');

void describe('pack agent', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'nasflow-pack-agent-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const setup = (name: string) => {
    const dir = join(root, name);
    const store: ObjectStore = new LocalStore(dir);
    const stamps = join(dir, 'stamps.log');
    const assign = async (n: number, sleepS: number, code: number): Promise<string> => {
      const trialId = `local/${name}/1/0/${n}`;
      const key = attemptKey(trialId, 1);
      const a: PackAssignment = { trialId, attempt: 1, specUri: `file://${dir}/t${n}-sleep-${sleepS}-exit-${code}` };
      await putJson(store, packRecordKey('assigned', key), a);
      return key;
    };
    const exitOf = async (key: string) => packExitSchema.parse(await getJson(store, packRecordKey('exited', key)));
    const options = (over: Partial<PackAgentOptions> = {}): PackAgentOptions => ({
      store,
      slots: 2,
      idleMs: 1500,
      pollMs: 100,
      command: ['sh', '-c', TRAINER, 'trainer'],
      env: { PATH: process.env.PATH, STAMPS: stamps },
      log: () => undefined,
      ...over,
    });
    /** The most trainers that ran at once, from their own stamps. */
    const peak = (): number => {
      const events = readFileSync(stamps, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' '))
        .map(([kind, t]) => ({ d: kind === 'start' ? 1 : -1, t: BigInt(t!) }))
        .sort((a, b) => (a.t === b.t ? a.d - b.d : a.t < b.t ? -1 : 1));
      let now = 0;
      let max = 0;
      for (const e of events) max = Math.max(max, (now += e.d));
      return max;
    };
    return { store, assign, exitOf, options, peak, stamps };
  };

  void it('runs 5 assignments with at most 2 trainers at once, records every exit, then closes when idle', async () => {
    const s = setup('five');
    const keys = [await s.assign(0, 0.6, 0), await s.assign(1, 0.6, 0), await s.assign(2, 0.3, 3), await s.assign(3, 0.6, 0), await s.assign(4, 0.2, 0)];
    const summary = await runPackAgent(s.options());
    assert.equal(summary.ended, 'idle');
    assert.equal(summary.started, 5);
    assert.equal(summary.peak, 2);
    assert.equal(s.peak(), 2, 'the trainers themselves never overlapped beyond 2');
    const exits = await Promise.all(keys.map(s.exitOf));
    assert.deepEqual(
      exits.map((e) => e.exitCode),
      [0, 0, 3, 0, 0],
    );
    assert.match(exits[2]!.message ?? '', /trainer output of t2/, 'a failed trainer keeps its output tail');
    assert.ok(await s.store.exists(PACK_CLOSED));
  });

  void it('stops only the cancelled trainer; its pack-mate runs to the end', async () => {
    const s = setup('cancel');
    const keep = await s.assign(0, 3, 0);
    const drop = await s.assign(1, 120, 0);
    const agent = runPackAgent(s.options({ idleMs: 500 }));
    await eventually(async () => assert.equal(readFileSync(s.stamps, 'utf8').match(/^start /gm)?.length, 2), TIMEOUTS.short, 100);
    await putJson(s.store, packRecordKey('cancel', drop), {});
    const summary = await agent;
    assert.equal((await s.exitOf(drop)).exitCode, 75, 'the cancelled trainer got SIGTERM');
    assert.equal((await s.exitOf(keep)).exitCode, 0);
    assert.equal(summary.ended, 'idle');
  });

  void it('on stop, SIGTERMs its trainers and records their exits before returning', async () => {
    const s = setup('stop');
    const a = await s.assign(0, 120, 0);
    const b = await s.assign(1, 120, 0);
    const stop = new AbortController();
    const agent = runPackAgent(s.options({ signal: stop.signal }));
    // Both trainers are up: their start stamp follows their SIGTERM trap, as a real trainer's handler precedes its first checkpoint.
    await eventually(async () => assert.equal(readFileSync(s.stamps, 'utf8').match(/^start /gm)?.length, 2), TIMEOUTS.short, 100);
    stop.abort();
    const summary = await agent;
    assert.equal(summary.ended, 'stopped');
    assert.deepEqual([(await s.exitOf(a)).exitCode, (await s.exitOf(b)).exitCode], [75, 75]);
    assert.ok(await s.store.exists(PACK_CLOSED), 'a stopping pack takes no new attempt');
  });

  void it('records an attempt an earlier pod started without an exit as lost (137), and skips a cancelled one it never started', async () => {
    const s = setup('restart');
    const lost = await s.assign(0, 0.1, 0);
    await putJson(s.store, packRecordKey('started', lost), { startedAt: new Date().toISOString() });
    const cancelled = await s.assign(1, 0.1, 0);
    await putJson(s.store, packRecordKey('cancel', cancelled), {});
    const summary = await runPackAgent(s.options({ idleMs: 200 }));
    assert.equal(summary.started, 0);
    assert.equal((await s.exitOf(lost)).exitCode, 137);
    assert.equal((await s.exitOf(cancelled)).exitCode, 143);
  });
});
