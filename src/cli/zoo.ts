/**
 * `nasflow zoo list [--json]` and `nasflow zoo show NAME [--json]`: the reference models, their
 * parameter and mult-add counts from the analytic cost model (no tfjs needed), and structure.
 */
import type { Command } from 'commander';
import { costOfDef, getModel, listModels, shapeTrace, type ZooEntry } from '../models/index.js';
import { formatStage } from '../space/block-string.js';
import { describeCell } from '../space/cell.js';

function summary(entry: ZooEntry): { name: string; params: number; multAdds: number; inputSize: number; classes: number } {
  const cost = costOfDef(entry.def());
  return { name: entry.name, params: cost.params, multAdds: cost.multAdds, inputSize: entry.inputSize, classes: entry.classes };
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
}
