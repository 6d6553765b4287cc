/**
 * LocalLauncher with real processes: a recorded pid counts as the trial's only while it is the
 * attempt's own shell. A record whose pid now belongs to an unrelated process (pids wrap on a busy
 * machine) must read as a vanished trial, never as running forever, and cancel must not signal it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../../../src/dev/service.js';
import type { TrialRef } from '../../../src/launch/launcher.js';
import { LocalLauncher } from '../../../src/launch/local-launcher.js';
import { processStartTicks } from '../../../src/launch/trial-process.js';
import { makeSearch } from '../../helpers/search-builder.js';
import { eventually, TIMEOUTS } from '../../helpers/wait.js';

void describe('LocalLauncher checks that a recorded pid is still the trial process', () => {
  let root: string;
  const strangers: ChildProcess[] = [];
  const spec = makeSearch('pid', '/unused').obj();
  const trial = (n: number): TrialRef => ({
    searchId: 'local/pid/1',
    spec,
    trialId: `local/pid/1/0/${n}`,
    attempt: 1,
    specUri: `file:///unused/${n}/spec.json`,
  });

  /** An unrelated process leading its own process group, as a detached daemon would. */
  const stranger = (env: NodeJS.ProcessEnv = {}): number => {
    const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH, ...env } });
    strangers.push(child);
    return child.pid!;
  };

  /** The launcher's folder for one attempt (the only one under `workDir` for a fresh launcher). */
  const attemptDirOf = (workDir: string): string => {
    const trials = join(workDir, 'trials');
    const [hash] = readdirSync(trials);
    assert.ok(hash, `no trial folder under ${trials}`);
    return join(trials, hash, 'attempt-1');
  };

  /**
   * Launches an attempt that exits at once, then rewrites its records to name the process `holder`
   * returns for the attempt's folder, as if the pid had wrapped to it.
   */
  const recordPointingAt = async (name: string, holder: (dir: string) => { pid: number; startTicks?: number }): Promise<LocalLauncher> => {
    const launcher = new LocalLauncher({ workDir: join(root, name), command: ['sh', '-c', 'exit 0', 'trial'], env: process.env });
    await launcher.launch(trial(1));
    const dir = attemptDirOf(join(root, name));
    await eventually(async () => assert.ok(existsSync(join(dir, 'exit')), 'the real trial ended'), TIMEOUTS.medium, 50);
    rmSync(join(dir, 'exit'));
    const { pid, startTicks } = holder(dir);
    const record = JSON.parse(readFileSync(join(dir, 'launch.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'launch.json'), JSON.stringify({ ...record, pid, startTicks }));
    writeFileSync(join(dir, 'pid'), `${pid}\n`);
    return launcher;
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'nasflow-pid-'));
  });

  after(() => {
    for (const s of strangers) s.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('reports its own running trial, and cancel stops the shell and the trainer', async () => {
    const workDir = join(root, 'own');
    const launcher = new LocalLauncher({ workDir, command: ['sh', '-c', 'sleep 300', 'trial'], env: process.env });
    await launcher.launch(trial(1));
    const record = JSON.parse(readFileSync(join(attemptDirOf(workDir), 'launch.json'), 'utf8')) as { pid: number; startTicks?: number };
    assert.equal(record.startTicks, processStartTicks(record.pid), 'the record carries the shell start time');
    assert.deepEqual(await launcher.poll(trial(1)), { state: 'running' });
    await launcher.cancel(trial(1));
    await eventually(async () => assert.equal((await launcher.poll(trial(1))).state, 'exited'), TIMEOUTS.medium, 100);
    assert.ok(!isAlive(record.pid));
  });

  it('cancel stops a trainer whose shell was killed alone (the group is still the trial)', async () => {
    const workDir = join(root, 'orphan');
    const launcher = new LocalLauncher({ workDir, command: ['sh', '-c', 'sleep 300', 'trial'], env: process.env });
    await launcher.launch(trial(1));
    const shell = (JSON.parse(readFileSync(join(attemptDirOf(workDir), 'launch.json'), 'utf8')) as { pid: number }).pid;
    const trainer = await eventually(
      async () => {
        const children = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim();
        assert.ok(children, 'the trainer started');
        return Number(children.split(' ')[0]);
      },
      TIMEOUTS.medium,
      50,
    );
    process.kill(shell, 'SIGKILL');
    await eventually(async () => assert.ok(!isAlive(shell)), TIMEOUTS.medium, 50);
    assert.ok(isAlive(trainer), 'the trainer outlived its shell');
    await launcher.cancel(trial(1));
    await eventually(async () => assert.ok(!isAlive(trainer), 'cancel reached the orphaned trainer'), TIMEOUTS.medium, 100);
  });

  it('a pid now held by an unrelated process: poll reports the trial vanished, cancel leaves the process alone', async () => {
    const pid = stranger();
    const launcher = await recordPointingAt('foreign', () => ({ pid }));
    const state = await launcher.poll(trial(1));
    assert.equal(state.state, 'exited');
    assert.equal(state.state === 'exited' && state.exitCode, 137);
    assert.match(state.state === 'exited' ? (state.message ?? '') : '', new RegExp(`pid ${pid} now belongs to another process`));
    await launcher.cancel(trial(1));
    await sleep(500); // a SIGTERM would have ended `sleep` well within this
    assert.ok(isAlive(pid), 'cancel did not signal the unrelated process');
  });

  it('a process carrying the marker but started at another time is not the trial either', async () => {
    // The stranger's environment names this attempt's exit file, yet its start time differs from the record.
    let pid = 0;
    let ticks = 0;
    const launcher = await recordPointingAt('marked', (dir) => {
      pid = stranger({ EXIT_FILE: join(dir, 'exit') });
      ticks = processStartTicks(pid)!;
      return { pid, startTicks: ticks + 1 };
    });
    const dir = attemptDirOf(join(root, 'marked'));
    const record = JSON.parse(readFileSync(join(dir, 'launch.json'), 'utf8')) as Record<string, unknown>;
    assert.equal((await launcher.poll(trial(1))).state, 'exited');
    await launcher.cancel(trial(1));
    await sleep(500);
    assert.ok(isAlive(pid), 'cancel did not signal the process');
    // The same process with the right start time passes the check: the start time is what decided.
    writeFileSync(join(dir, 'launch.json'), JSON.stringify({ ...record, pid, startTicks: ticks }));
    assert.deepEqual(await launcher.poll(trial(1)), { state: 'running' });
  });
});
