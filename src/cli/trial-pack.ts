/**
 * `nasflow trial pack`: the entry point of a pack pod (spec `trial.perGpu` > 1; the agent is
 * src/launch/pack-agent.ts). Exit 0 after an idle close (the Job completes), 75 after SIGTERM once
 * every trainer's exit is recorded, 2 on bad flags.
 */
import type { Command } from 'commander';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_PREEMPTED } from '../api/exit-codes.js';
import { runPackAgent } from '../launch/pack-agent.js';
import { openPrefix } from '../store/uri.js';

interface PackFlags {
  dir: string;
  slots: string;
  idleSeconds: string;
  pollMs: string;
}

export function registerTrialCommands(program: Command): void {
  const trial = program.command('trial').description('Trial runtimes inside pods');
  trial
    .command('pack')
    .description('Run up to --slots trainers at once in this pod, taking the assignments the worker writes under --dir (docs/gpu.md)')
    .requiredOption('--dir <uri>', "the pack's records: <storage>/searches/<searchId>/packs/<pack>")
    .requiredOption('--slots <n>', 'trainers at once (the spec trial.perGpu), 1-16')
    .option('--idle-seconds <s>', 'close the pack and exit 0 after this long with nothing to run', '60')
    .option('--poll-ms <ms>', 'time between looks at the assignments', '1000')
    .action(async (flags: PackFlags) => {
      // Not train.js's exitAfterFlush: importing it would load TensorFlow into the agent, which
      // trains nothing (its trainers are child processes) and must not hold GPU memory.
      const code = await packCommand(flags);
      process.exitCode = code;
    });
}

async function packCommand(flags: PackFlags): Promise<number> {
  const slots = Number(flags.slots);
  const idleSeconds = Number(flags.idleSeconds);
  const pollMs = Number(flags.pollMs);
  const bad =
    !Number.isInteger(slots) || slots < 1 || slots > 16
      ? `--slots must be an integer from 1 to 16 (the spec's trial.perGpu), received ${flags.slots}`
      : !(idleSeconds >= 0)
        ? `--idle-seconds must be a number of seconds >= 0, received ${flags.idleSeconds}`
        : !(pollMs >= 10)
          ? `--poll-ms must be at least 10, received ${flags.pollMs}`
          : undefined;
  if (bad) {
    console.error(`nasflow trial pack: ${bad}`);
    return EXIT_BAD_INPUT;
  }
  const { store, close } = openPrefix(flags.dir, process.env);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const summary = await runPackAgent({
      store,
      slots,
      idleMs: idleSeconds * 1000,
      pollMs,
      command: [process.execPath, process.argv[1]!, 'train'],
      env: process.env,
      log: (line) => console.error(`${new Date().toISOString()} pack: ${line}`),
      signal: stop.signal,
    });
    console.error(`nasflow trial pack: ${summary.ended} after ${summary.started} trainer(s), at most ${summary.peak} at once`);
    return summary.ended === 'idle' ? EXIT_OK : EXIT_PREEMPTED;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    close();
  }
}
