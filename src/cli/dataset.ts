/** `nasflow dataset synth`: writes a small learnable dataset in the CIFAR-10 binary format. */
import type { Command } from 'commander';
import { openPrefix } from '../store/uri.js';
import { writeSynthetic } from '../trainer/synth.js';

function int(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer, received ${JSON.stringify(v)}`);
    return n;
  };
}

export function registerDatasetCommands(program: Command): void {
  const group = program.command('dataset').description('Datasets in the formats the trainer reads');
  group
    .command('synth')
    .description('Write a synthetic, learnable dataset in CIFAR-10 binary format')
    .requiredOption('--out <uri>', 'destination prefix (s3://bucket/prefix, file:///path or a path)')
    .option('--classes <n>', 'number of classes', int('classes'), 10)
    .option('--train <n>', 'training images', int('train'), 500)
    .option('--test <n>', 'test images', int('test'), 100)
    .option('--seed <n>', 'random seed', int('seed'), 0)
    .option('--noise <sd>', 'per-pixel Gaussian noise (0-255 units); higher makes the task harder', int('noise'), 24)
    .action(async (opts: { out: string; classes: number; train: number; test: number; seed: number; noise: number }) => {
      const { store, close } = openPrefix(opts.out, process.env);
      try {
        const { files } = await writeSynthetic(store, opts);
        console.log(JSON.stringify({ out: opts.out, files, classes: opts.classes, train: opts.train, test: opts.test, seed: opts.seed, noise: opts.noise }));
      } finally {
        close();
      }
    });
}
