/**
 * `nasflow zoo list [--json]` and `nasflow zoo show NAME [--json]`: the reference models, their
 * parameter and mult-add counts from the analytic cost model (no tfjs needed), and structure.
 * `nasflow zoo evaluate [NAME] --weights DIR --dataset URI`: top-1 / top-5 of saved weights
 * (src/trainer/evaluate.ts). `nasflow zoo import` / `zoo export`: weights from and to timm
 * (./zoo-weights.ts).
 */
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { costOfDef, getModel, listModels, shapeTrace, type ZooEntry } from '../models/index.js';
import { formatStage } from '../space/block-string.js';
import { describeCell } from '../space/cell.js';
import { registerZooWeightCommands } from './zoo-weights.js';

function summary(entry: ZooEntry): { name: string; params: number; multAdds: number; inputSize: number; classes: number } {
  const cost = costOfDef(entry.def());
  return { name: entry.name, params: cost.params, multAdds: cost.multAdds, inputSize: entry.inputSize, classes: entry.classes };
}

interface EvaluateOpts {
  weights: string;
  dataset: string;
  batchSize: string;
  cropFraction: string;
  normalize: string;
  json?: boolean;
}

async function evaluate(name: string | undefined, opts: EvaluateOpts): Promise<void> {
  const batchSize = Number(opts.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`--batch-size must be a positive integer; received "${opts.batchSize}"`);
  const cropFraction = Number(opts.cropFraction);
  if (!(cropFraction > 0 && cropFraction <= 1)) throw new Error(`--crop-fraction must be a number in (0, 1]; received "${opts.cropFraction}"`);
  if (name !== undefined) getModel(name);
  // Loaded here: the other zoo commands need no tfjs.
  const [{ evaluateModel }, { loadBackend }] = await Promise.all([import('../trainer/evaluate.js'), import('../trainer/backend.js')]);
  const backend = await loadBackend(process.env.NASFLOW_TF_BACKEND, (m) => console.error(m));
  const bar = process.stderr.isTTY
    ? new SingleBar({ stream: process.stderr, format: '{bar} {value}/{total} images | {rate} img/s', hideCursor: true }, Presets.shades_classic)
    : undefined;
  const started = performance.now();
  const result = await evaluateModel({
    tf: backend.tf,
    pkg: backend.pkg,
    weights: opts.weights,
    model: name,
    dataset: opts.dataset,
    env: process.env,
    batchSize,
    cropFraction,
    normalize: opts.normalize,
    onProgress: (done, total) => {
      if (!bar) return;
      const rate = (done / Math.max(1e-3, (performance.now() - started) / 1000)).toFixed(1);
      if (done === Math.min(total, batchSize)) bar.start(total, done, { rate });
      else bar.update(done, { rate });
    },
  }).finally(() => bar?.stop());
  if (opts.json) {
    console.log(JSON.stringify({ ...result, backend: backend.backend }));
    return;
  }
  const k = Math.min(5, result.classes);
  console.log(
    `${name ?? result.weights}: top-1 ${result.top1.toFixed(2)}% (${result.correct1}/${result.count}), top-${k} ${result.top5.toFixed(2)}% (${result.correct5}/${result.count}) ` +
      `on ${result.dataset} (${result.format}, ${result.classes} classes, ${result.inputSize}x${result.inputSize}); ` +
      `${result.imagesPerSecond.toFixed(1)} images/s on ${backend.backend}`,
  );
}

function structure(entry: ZooEntry): string[] {
  const def = entry.def();
  const lines: string[] = [];
  if (def.kind === 'cells') {
    const f = def.family;
    if (f.kind === 'nasnet') lines.push(`normal cell:    ${describeCell(f.normal)}`, `reduction cell: ${describeCell(f.reduction)}`);
    else lines.push(`cell (stride 2 at reductions): ${describeCell(f.cell)}`);
  } else {
    lines.push(`stages: ${def.stages.map(formatStage).join(' ')}`);
  }
  lines.push(`macro: ${JSON.stringify(def.macro)}`);
  return lines;
}

export function registerZooCommands(program: Command): void {
  const zoo = program.command('zoo').description('reference models of the NASNet, PNAS, MnasNet and PONAS papers');

  zoo
    .command('list')
    .description('list the reference models with parameters and mult-adds (1000 classes, no aux head for ImageNet models)')
    .option('--json', 'print a JSON array of {name, params, multAdds, inputSize, classes}')
    .option('--pattern <glob>', 'only names matching a * wildcard pattern', '*')
    .action((opts: { json?: boolean; pattern: string }) => {
      const rows = listModels(opts.pattern).map((n) => summary(getModel(n)));
      if (opts.json) {
        console.log(JSON.stringify(rows));
        return;
      }
      console.log(`${'NAME'.padEnd(18)} ${'PARAMS'.padStart(12)} ${'MULT-ADDS'.padStart(12)} ${'INPUT'.padStart(5)} CLASSES`);
      for (const r of rows) {
        console.log(
          `${r.name.padEnd(18)} ${r.params.toLocaleString('en-US').padStart(12)} ${`${(r.multAdds / 1e6).toFixed(1)}M`.padStart(12)} ${String(r.inputSize).padStart(5)} ${r.classes}`,
        );
      }
    });

  zoo
    .command('show')
    .description('print a reference model: cells or stages, macro config, shapes, costs and reference figures')
    .argument('<name>', 'model name (see "nasflow zoo list")')
    .option('--json', 'print JSON')
    .action((name: string, opts: { json?: boolean }) => {
      const entry = getModel(name);
      const info = { ...summary(entry), family: entry.family, reference: entry.reference, published: entry.published, shapes: shapeTrace(entry.def()) };
      if (opts.json) {
        console.log(JSON.stringify({ ...info, structure: structure(entry) }, null, 2));
        return;
      }
      console.log(`${entry.name} (${entry.family}), input ${entry.inputSize}x${entry.inputSize}x3, ${entry.classes} classes`);
      for (const line of structure(entry)) console.log(line);
      console.log('shapes:');
      for (const s of info.shapes) console.log(`  ${s.label.padEnd(40)} ${s.shape}`);
      console.log(
        `params ${info.params.toLocaleString('en-US')} (reference ${entry.reference.params?.toLocaleString('en-US') ?? 'n/a'}${entry.reference.paramsMismatch ? `; ${entry.reference.paramsMismatch}` : ''})`,
      );
      console.log(
        `mult-adds ${(info.multAdds / 1e6).toFixed(1)}M (reference ${entry.reference.multAdds ? `${(entry.reference.multAdds / 1e6).toFixed(1)}M` : 'n/a'}${entry.reference.multAddsScope === 'conv' ? ', conv layers only' : ''})`,
      );
      console.log(`sources: ${entry.reference.source}; ${entry.published.source}`);
    });

  zoo
    .command('evaluate')
    .description('top-1 / top-5 accuracy of saved weights (a tfjs layers model dir) on a CIFAR-10 binary or image-folder dataset')
    .argument(
      '[name]',
      'a zoo model the weights must be (input size, classes and parameters are checked); leave out for any saved model, e.g. a "search export" dir',
    )
    .requiredOption('--weights <dir>', 'tfjs layers model directory: model.json + weights.bin ("nasflow search export --out DIR" writes one)')
    .requiredOption(
      '--dataset <uri>',
      'CIFAR-10 binary dir or s3:// prefix (test_batch.bin is evaluated), or a local image folder DIR/<class>/*.{jpg,jpeg,png} (classes in folder-name order)',
    )
    .option('--batch-size <n>', 'images per forward pass', '32')
    .option('--crop-fraction <f>', 'image folders: centre crop as a share of the resized shorter side (0.875: resize 256, crop 224)', '0.875')
    .option('--normalize <name>', 'image folders: trainer (the CIFAR statistics every nasflow-trained network expects), imagenet, or none (0-1)', 'trainer')
    .option('--json', 'print a JSON object {top1, top5, correct1, correct5, count, classes, imagesPerSecond, ...}')
    .action(evaluate);

  registerZooWeightCommands(zoo);
}
