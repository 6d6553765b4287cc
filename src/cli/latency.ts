/**
 * `nasflow latency profile` and `nasflow latency predict`: a per-block latency lookup table of a
 * search space measured on this machine's tfjs backend (src/latency/profile.ts), and a network's
 * latency predicted from it, optionally against the whole network measured. The group also holds
 * `latency measure` (./latency-measure.ts), which main.ts loads alone when it is the command.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { putJson } from '../store/object-store.js';
import { registerLatencyMeasureCommand } from './latency-measure.js';
import { openUri } from '../store/uri.js';
import { LATENCY_SPACES, type LatencySpace } from '../latency/plan.js';
import { readLatencyTable } from '../latency/table-source.js';
import { genotypeNetwork, measureNetworkMs, networkKeys, predictMs, zooMacroProblem, zooNetwork, type PricedNetwork } from '../latency/predict.js';
import type { NasnetLatencyMacro } from '../algorithms/rl/nasnet-latency-keys.js';
import { isGenotypeError } from '../space/types.js';

interface ProfileOpts {
  space: string;
  device?: string;
  imageSize: string;
  batch: string;
  classes: string;
  warmup: string;
  runs: string;
  out: string;
  zooOnly?: boolean;
  layers?: string;
  candidates?: string;
  stem?: string;
  cellsPerStage?: string;
  filters?: string;
  stemMultiplier?: string;
  skipReductionInput?: boolean;
  zooMacro?: string;
}

interface PredictOpts {
  table: string;
  space?: string;
  zoo?: string;
  genotype?: string;
  measure?: boolean;
  json?: boolean;
}

function int(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}; received "${text}"`);
  return n;
}

function space(flag: string, text: string): LatencySpace {
  if (!(LATENCY_SPACES as readonly string[]).includes(text)) {
    throw new Error(`${flag} must be one of ${LATENCY_SPACES.join(', ')}; received "${text}"`);
  }
  return text as LatencySpace;
}

async function loadTf(): Promise<Awaited<ReturnType<typeof import('../trainer/backend.js').loadBackend>>> {
  const { loadBackend } = await import('../trainer/backend.js');
  return loadBackend(process.env.NASFLOW_TF_BACKEND, (m) => console.error(m));
}

function list(flag: string, text: string, min: number, max: number): number[] {
  const out = text.split(',').map((t) => Number(t.trim()));
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n < min || n > max)) {
    throw new Error(`${flag} must be a comma-separated list of integers ${min}-${max}; received "${text}"`);
  }
  return out;
}

const NASNET_FLAGS = ['stem', 'cellsPerStage', 'filters', 'stemMultiplier', 'skipReductionInput', 'zooMacro'] as const;

/** The NASNet macro from --zoo-macro or the macro flags; undefined (the space's default) when none is given. */
async function nasnetMacro(opts: ProfileOpts): Promise<NasnetLatencyMacro | undefined> {
  const given = NASNET_FLAGS.filter((k) => opts[k] !== undefined && k !== 'zooMacro');
  if (opts.zooMacro !== undefined) {
    if (given.length > 0)
      throw new Error(
        '--zoo-macro takes the whole macro from the zoo model; leave out --stem, --cells-per-stage, --filters, --stem-multiplier and --skip-reduction-input',
      );
    const { getModel } = await import('../models/zoo.js');
    const { latencyMacroOf } = await import('../latency/nasnet-parts.js');
    const { zooModelsOf } = await import('../latency/predict.js');
    const def = (() => {
      try {
        return getModel(opts.zooMacro).def();
      } catch {
        return undefined;
      }
    })();
    const m = def?.kind === 'cells' && def.family.kind === 'nasnet' ? latencyMacroOf(def.macro) : null;
    if (!m) throw new Error(`--zoo-macro must be a nasnet zoo model (${zooModelsOf('nasnet').join(', ')}); received "${opts.zooMacro}"`);
    return m;
  }
  if (given.length === 0) return undefined;
  const stem = opts.stem ?? 'cifar';
  if (stem !== 'cifar' && stem !== 'imagenet') throw new Error(`--stem must be cifar or imagenet; received "${stem}"`);
  return {
    stem,
    cellsPerStage: int('--cells-per-stage', opts.cellsPerStage ?? '2', 1),
    filters: int('--filters', opts.filters ?? '16', 2),
    ...(opts.stemMultiplier !== undefined ? { stemMultiplier: int('--stem-multiplier', opts.stemMultiplier, 1) } : {}),
    ...(opts.skipReductionInput ? { skipReductionLayerInput: true } : {}),
  };
}

async function profile(opts: ProfileOpts): Promise<void> {
  const chosen = space('--space', opts.space);
  if ((opts.layers !== undefined || opts.candidates !== undefined) && chosen !== 'ponas')
    throw new Error('--layers and --candidates slice the ponas space; use --space ponas');
  if (chosen !== 'nasnet' && NASNET_FLAGS.some((k) => opts[k] !== undefined))
    throw new Error('--stem, --cells-per-stage, --filters, --stem-multiplier, --skip-reduction-input and --zoo-macro set the nasnet macro; use --space nasnet');
  const cells = chosen === 'nasnet' ? await nasnetMacro(opts) : undefined;
  const slice =
    opts.layers !== undefined || opts.candidates !== undefined
      ? {
          layers: list('--layers', opts.layers ?? '1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19', 1, 19),
          candidates: list('--candidates', opts.candidates ?? '0,1,2,3,4,5,6,7,8,9,10,11', 0, 11),
        }
      : undefined;
  const { zooModelsOf, zooNetwork } = await import('../latency/predict.js');
  const zoo = zooModelsOf(chosen).map((m) => zooNetwork(chosen, m));
  const args = {
    extraNetworks: zoo.map((n) => n.stages),
    genotypes: zoo.flatMap((n) => (n.cells ? [n.cells] : [])),
    ...(cells ? { cells } : {}),
    ...(opts.zooOnly ? { enumerate: false } : {}),
    ...(slice ? { slice } : {}),
    space: chosen,
    imageSize: int('--image-size', opts.imageSize, 4),
    batch: int('--batch', opts.batch, 1),
    classes: int('--classes', opts.classes, 2),
    warmup: int('--warmup', opts.warmup, 0),
    runs: int('--runs', opts.runs, 1),
  };
  const backend = await loadTf();
  const { profileLatency } = await import('../latency/profile.js');
  let last = 0;
  const table = profileLatency({
    ...args,
    backend,
    ...(opts.device ? { device: opts.device } : {}),
    now: () => performance.now(),
    onProgress: (done, total) => {
      const pct = Math.floor((100 * done) / total);
      if (pct >= last + 10 || done === total) {
        last = pct;
        console.error(`profiled ${done}/${total} parts`);
      }
    },
  });
  const opened = openUri(opts.out, process.env);
  try {
    await putJson(opened.store, opened.key, table);
  } finally {
    opened.close();
  }
  const m = table.macro;
  const macro = m
    ? ` (${m.stem} stem, N ${m.cellsPerStage}, F ${m.filters}, stem multiplier ${m.stemMultiplier}${m.skipReductionLayerInput ? ', skip-reduction-input' : ''})`
    : '';
  console.log(
    `wrote ${opts.out}: space ${table.space}${macro}, ${Object.keys(table.entries).length} entries from ${table.parts} parts in ${table.seconds.toFixed(1)} s on ${table.backend.name} (${table.backend.pkg}), ` +
      `${table.imageSize} px, batch ${table.batch}, base ${table.base.toFixed(3)} ms, call overhead ${table.protocol.callOverheadMs.toFixed(3)} ms, load ${table.load.map((l) => l.toFixed(1)).join(' -> ')}`,
  );
}

/** A genotype from a JSON text or a file holding one. */
function genotypeJson(text: string): unknown {
  const trimmed = text.trim();
  const raw = trimmed.startsWith('{') ? trimmed : readFileSync(trimmed, 'utf8');
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw new Error(`--genotype: expected a genotype as JSON or a JSON file; ${(err as Error).message}`);
  }
}

function genotypeOf(space: LatencySpace, text: string): PricedNetwork {
  try {
    return genotypeNetwork(space, genotypeJson(text));
  } catch (err) {
    if (!isGenotypeError(err)) throw err;
    throw new Error(
      `--genotype: not a ${space} genotype (${err.message}); the table prices space ${space}: give one of its genotypes, or a table of the genotype's space`,
    );
  }
}

async function predict(opts: PredictOpts): Promise<void> {
  if ((opts.zoo === undefined) === (opts.genotype === undefined))
    throw new Error('latency predict: give exactly one of --zoo MODEL or --genotype FILE_OR_JSON');
  const table = await readLatencyTable(opts.table, '--table');
  if (opts.space !== undefined && space('--space', opts.space) !== table.space) {
    throw new Error(`--space ${opts.space}: the table ${opts.table} prices space ${table.space}; profile ${opts.space} or leave --space out`);
  }
  const network: PricedNetwork = opts.zoo !== undefined ? zooNetwork(table.space, opts.zoo) : genotypeOf(table.space, opts.genotype ?? '');
  if (opts.zoo !== undefined) {
    const problem = zooMacroProblem(table, opts.zoo);
    if (problem) throw new Error(problem);
  }
  const keys = networkKeys(table, network);
  const predicted = predictMs(table, network);
  let measured: number | undefined;
  if (opts.measure) {
    const backend = await loadTf();
    if (backend.backend !== table.backend.name) console.error(`warning: the table was profiled on ${table.backend.name}; measuring on ${backend.backend}`);
    measured = measureNetworkMs(backend.tf, table, network, () => performance.now());
  }
  const error = measured === undefined ? undefined : (predicted - measured) / measured;
  if (opts.json) {
    console.log(JSON.stringify({ network: network.name, space: table.space, predictedMs: predicted, measuredMs: measured, relativeError: error, keys }));
    return;
  }
  const where = `${table.imageSize} px, batch ${table.batch}, ${table.device}`;
  console.log(`${network.name}: predicted ${predicted.toFixed(3)} ms (${keys.length} entries + base ${table.base.toFixed(3)} ms; ${where})`);
  if (measured !== undefined && error !== undefined) {
    console.log(`${network.name}: measured ${measured.toFixed(3)} ms (median of ${table.protocol.runs}), relative error ${(100 * error).toFixed(1)} %`);
  }
}

export function registerLatencyCommands(program: Command): void {
  const latency = program
    .command('latency')
    .description(
      "Inference latency: measure a trained trial (latency step), profile a space's per-block lookup table on this machine, predict a network from a table",
    );
  registerLatencyMeasureCommand(latency);
  latency
    .command('profile')
    .description("time every block configuration of a space, each built alone at its input shape, on this machine's tfjs backend, and write the lookup table")
    .requiredOption('--space <name>', `search space: ${LATENCY_SPACES.join(' or ')}`)
    .option('--device <name>', 'name of the device measured, recorded in the table (default: host name and CPU)')
    .option('--image-size <n>', 'input side in pixels the networks see (32 = CIFAR)', '32')
    .option('--batch <n>', 'images per forward pass (1 = the MnasNet figure)', '1')
    .option('--classes <n>', 'classifier outputs of the head', '10')
    .option('--warmup <n>', 'untimed runs before timing each part', '3')
    .option('--runs <n>', 'timed runs per part (the median is kept)', '15')
    .requiredOption('--out <uri>', 'where to write the table: a path, file:// or s3:// URI')
    .option('--zoo-only', 'mnasnet, nasnet: profile only the pieces of the zoo models (seconds instead of minutes; the table prices just those)')
    .option('--layers <list>', 'ponas: only these layers (1-19, comma-separated); a partial table for quick checks')
    .option('--candidates <list>', 'ponas: only these candidates (0-11, comma-separated); a partial table for quick checks')
    .option('--stem <kind>', 'nasnet: cifar (3x3 conv) or imagenet (3x3/2 conv and two reduction stem cells) (default: cifar)')
    .option('--cells-per-stage <n>', 'nasnet: N, normal cells per stage (default: 2)')
    .option('--filters <n>', 'nasnet: F, filters of the first stage, doubled at each reduction (default: 16)')
    .option('--stem-multiplier <n>', 'nasnet: stem filters = multiplier x F (cifar) or 32 x multiplier (imagenet) (default: 3 cifar, 1 imagenet)')
    .option('--skip-reduction-input', "nasnet: TF-slim's skip_reduction_layer_input (NASNet-A Large)")
    .option('--zoo-macro <model>', 'nasnet: the whole macro of a zoo model, e.g. nasnet-a-mobile (default: the CIFAR search child, N 2, F 16)')
    .action(profile);
  latency
    .command('predict')
    .description("a network's latency as the sum of its table entries; --measure also times the whole network and prints the relative error")
    .requiredOption('--table <uri>', 'a table written by "nasflow latency profile" (path, file:// or s3://)')
    .option('--space <name>', "the genotype's space (checked against the table's)")
    .option('--zoo <model>', 'a reference model of the table\'s space (see "nasflow zoo list"), built at the table\'s input size and classes')
    .option('--genotype <json-or-file>', 'a genotype of the space as JSON, or a file holding one')
    .option('--measure', "also measure the whole network with the table's protocol on this machine")
    .option('--json', 'print one JSON object')
    .action(predict);
}
