/**
 * `nasflow zoo import MODEL FILE --from timm|keras --out DIR` and
 * `nasflow zoo export --weights DIR --to timm --out FILE`: a zoo model's weights from or to a peer
 * framework (src/models/weights/zoo-weights.ts; docs/zoo-weights.md). The imported network is
 * saved in the tfjs layers format, as `search export` writes it, so `zoo evaluate --weights DIR`
 * and `zoo export` read it.
 */
import { constants } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { getModel } from '../models/index.js';

function positive(flag: string, raw: string | undefined, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!(n > 0) || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new Error(`${flag} must be a positive ${integer ? 'integer' : 'number'}; received "${raw}"`);
  }
  return n;
}

async function backend() {
  // Loaded here: the other zoo commands need no tfjs.
  const { loadBackend } = await import('../trainer/backend.js');
  return loadBackend(process.env.NASFLOW_TF_BACKEND, (m) => console.error(m));
}

/** Peers `zoo import` accepts (export: timm only). */
const IMPORT_FROM: readonly string[] = ['timm', 'keras'];

interface ImportOpts {
  from: string;
  out: string;
  width?: string;
  classes?: string;
  inputSize?: string;
  cells?: string;
  filters?: string;
  json?: boolean;
}

async function importCmd(name: string, file: string, opts: ImportOpts): Promise<void> {
  const { importPeerWeights } = await import('../models/weights/zoo-weights.js');
  if (!IMPORT_FROM.includes(opts.from)) throw new Error(`--from: expected one of ${IMPORT_FROM.join(', ')}, received ${JSON.stringify(opts.from)}`);
  const from = opts.from as 'timm' | 'keras';
  getModel(name);
  const args = {
    model: name,
    from,
    width: positive('--width', opts.width, false),
    classes: positive('--classes', opts.classes, true),
    inputSize: positive('--input-size', opts.inputSize, true),
    cells: positive('--cells', opts.cells, true),
    filters: positive('--filters', opts.filters, true),
  };
  await access(file, constants.R_OK).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`FILE: cannot read ${file} (${err.code ?? err.message}); pass the path of a ${from} weights file`);
  });
  const { tf } = await backend();
  const { saveModelToDir } = await import('../models/model-files.js');
  const model = await importPeerWeights(tf, { ...args, file });
  try {
    await saveModelToDir(tf, model, opts.out);
  } finally {
    model.dispose();
  }
  const summary = { model: name, from, file, out: resolve(opts.out), params: model.countParams() };
  if (opts.json) console.log(JSON.stringify(summary));
  else console.log(`imported ${name} from ${from} ${file}: ${summary.params.toLocaleString('en-US')} weights -> ${summary.out}`);
}

interface ExportOpts {
  weights: string;
  to: string;
  out: string;
}

async function exportCmd(opts: ExportOpts): Promise<void> {
  const { PEERS, exportPeerWeights } = await import('../models/weights/zoo-weights.js');
  const to = opts.to as (typeof PEERS)[number];
  if (!PEERS.includes(to)) throw new Error(`--to: expected one of ${PEERS.join(', ')}, received ${JSON.stringify(opts.to)}`);
  const { tf } = await backend();
  const { loadModelFromDir } = await import('../models/model-files.js');
  const model = await loadModelFromDir(tf, opts.weights).catch((err: Error) => {
    throw new Error(
      `--weights: cannot load a tfjs layers model from ${opts.weights} (${err.message}); pass a directory written by "zoo import" or "search export"`,
    );
  });
  try {
    const result = exportPeerWeights(model, to);
    await writeFile(opts.out, result.bytes);
    console.log(`exported ${result.tensors} tensors to ${resolve(opts.out)} (${to} state dict, safetensors)`);
    if (result.note) console.error(`nasflow: note: ${result.note}`);
  } finally {
    model.dispose();
  }
}

export function registerZooWeightCommands(zoo: Command): void {
  zoo
    .command('import')
    .description("a peer framework's weights of a zoo model as a tfjs layers model dir (docs/zoo-weights.md)")
    .argument('<name>', 'zoo model (timm: mnasnet-b1 = mnasnet_100, mnasnet-a1 = semnasnet_100; keras: nasnet-a-mobile = NASNetMobile)')
    .argument('<file>', 'timm: a state dict in safetensors (save_file(model.state_dict())); keras: HDF5 weights (.weights.h5 or legacy .h5)')
    .requiredOption('--from <framework>', 'timm or keras')
    .requiredOption('--out <dir>', 'where to write model.json + weights.bin')
    .option('--width <m>', 'timm: the channel multiplier (0.5 = mnasnet_050)')
    .option('--cells <n>', 'keras: NASNet num_blocks (cells per stack)')
    .option('--filters <f>', 'keras: NASNet penultimate_filters / 24')
    .option('--classes <n>', "classifier outputs, when not the zoo model's (1000)")
    .option('--input-size <n>', 'square input size the saved model declares')
    .option('--json', 'print a JSON summary')
    .action(importCmd);

  zoo
    .command('export')
    .description('the weights of a tfjs layers model dir (zoo import, search export) as a peer framework file')
    .requiredOption('--weights <dir>', 'tfjs layers model directory (model.json + weights.bin)')
    .requiredOption('--to <framework>', 'timm (Keras export is not supported yet)')
    .requiredOption('--out <file>', 'safetensors file to write (timm: model.load_state_dict(safetensors.torch.load_file(FILE)))')
    .action(exportCmd);
}
