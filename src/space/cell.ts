/**
 * The cell grammar shared by the NASNet (Zoph et al. 2018, Sec. 3) and PNAS (Liu et al. 2018,
 * Sec. 3.1) spaces, in the form of darts `genotypes.py`: a cell is a list of blocks, and each block
 * applies one operation to each of two hidden states and combines the two results.
 *
 * Grammar (JSON):
 *
 *   cell   := { "blocks": [block, ...], "concat"?: [state, ...] }
 *   block  := { "inputs": [state, state], "ops": [op, op], "combine": "add" | "concat" }
 *   state  := 0 | 1 | 2 + k          (also accepted by parse: "h_i" | "h_i-1" | "b<k>")
 *
 * State indices follow TF-slim `nasnet_utils.py` (`hiddenstate_indices`): 0 = h_i (the previous
 * cell's output after the cell's 1x1 preamble), 1 = h_i-1 (the cell before that, adjusted), and
 * 2 + k = the output of block k of this cell, so block b may read states 0 .. b + 1.
 * The cell output concatenates the states listed in `concat`; without `concat`, every state no
 * block reads (the paper's rule, Zoph et al. Sec. 3). The released TF-slim cells use hand-written
 * lists that differ from the rule (NASNet-A normal concatenates h_i-1 although blocks read it), so
 * reference genotypes carry an explicit `concat`. Search spaces sample without it, and the
 * controller's decisions do not include it (decode gives the rule's concatenation).
 *
 * Equivalence: an `add` is commutative, so a block's two (input, op) branches are put in a fixed
 * order by `canonicalCell`. A `concat` keeps its order.
 *
 * Decision sequence (per block, the NASNet controller order, Zoph et al. Sec. 3 steps 1-5):
 * input1, input2, op1, op2 and, when the space has more than one combiner, combine.
 * Input decisions all have width B + 1 (the most states any block can see) with
 * `validChoices` = 2 + b, so one embedding table serves every input step.
 */
import type { Rng } from '../common/rng.js';
import { GenotypeError, type Decision } from './types.js';

export type CellCombine = 'add' | 'concat';

export interface CellBlock {
  /** Hidden-state indices read by the two branches (see the module docblock). */
  readonly inputs: readonly [number, number];
  /** Operation names applied to inputs[0] and inputs[1]. */
  readonly ops: readonly [string, string];
  readonly combine: CellCombine;
}

export interface CellGenotype {
  readonly blocks: readonly CellBlock[];
  /** States concatenated into the output, ascending. Default: the states no block reads. */
  readonly concat?: readonly number[];
}

/** What a cell may contain: the operation vocabulary, the combiners and the block count. */
export interface CellGrammar {
  readonly ops: readonly string[];
  readonly combines: readonly CellCombine[];
  readonly blocks: number;
}

const STATE_NAMES: Record<string, number> = { h_i: 0, 'h_i-1': 1 };

/** Human name of a state index: h_i, h_i-1, b0, b1, ... */
export function stateName(index: number): string {
  return index === 0 ? 'h_i' : index === 1 ? 'h_i-1' : `b${index - 2}`;
}

/** Parses a state reference that may point at states 0..max; `where` names the reader in errors. */
function parseState(value: unknown, max: number, field: string, where: string): number {
  let index: number | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) index = value;
  else if (typeof value === 'string') index = STATE_NAMES[value] ?? (/^b\d+$/.test(value) ? 2 + Number(value.slice(1)) : undefined);
  if (index === undefined || index < 0 || index > max) {
    const names = Array.from({ length: max + 1 }, (_, i) => stateName(i));
    throw new GenotypeError(field, `expected a state index 0..${max} (${names.join(', ')}) for ${where}; received ${JSON.stringify(value)}`);
  }
  return index;
}

function parseOp(value: unknown, grammar: CellGrammar, field: string): string {
  if (typeof value !== 'string' || !grammar.ops.includes(value)) {
    throw new GenotypeError(field, `expected one of ${grammar.ops.join(', ')}; received ${JSON.stringify(value)}`);
  }
  return value;
}

function parsePair(value: unknown, field: string): [unknown, unknown] {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new GenotypeError(field, `expected an array of 2 entries; received ${JSON.stringify(value)}`);
  }
  return [value[0], value[1]];
}

/** Validates one cell; `path` prefixes every field name in errors (e.g. `normal`). */
export function parseCell(json: unknown, grammar: CellGrammar, path: string): CellGenotype {
  const at = (f: string): string => (path ? `${path}.${f}` : f);
  if (json === null || typeof json !== 'object' || !Array.isArray((json as { blocks?: unknown }).blocks)) {
    throw new GenotypeError(at('blocks'), `expected an array of ${grammar.blocks} blocks; received ${JSON.stringify(json)}`);
  }
  const raw = (json as { blocks: unknown[] }).blocks;
  if (raw.length !== grammar.blocks) {
    throw new GenotypeError(at('blocks'), `expected ${grammar.blocks} blocks; received ${raw.length}`);
  }
  const blocks = raw.map((b, i): CellBlock => {
    const f = at(`blocks[${i}]`);
    if (b === null || typeof b !== 'object') throw new GenotypeError(f, `expected an object {inputs, ops, combine}; received ${JSON.stringify(b)}`);
    const o = b as Record<string, unknown>;
    const [i0, i1] = parsePair(o.inputs, `${f}.inputs`);
    const [o0, o1] = parsePair(o.ops, `${f}.ops`);
    const combine = o.combine ?? grammar.combines[0];
    if (!grammar.combines.includes(combine as CellCombine)) {
      throw new GenotypeError(`${f}.combine`, `expected one of ${grammar.combines.join(', ')}; received ${JSON.stringify(o.combine)}`);
    }
    return {
      inputs: [parseState(i0, i + 1, `${f}.inputs[0]`, `block ${i}`), parseState(i1, i + 1, `${f}.inputs[1]`, `block ${i}`)],
      ops: [parseOp(o0, grammar, `${f}.ops[0]`), parseOp(o1, grammar, `${f}.ops[1]`)],
      combine: combine as CellCombine,
    };
  });
  const concat = (json as { concat?: unknown }).concat;
  if (concat === undefined) return { blocks };
  return { blocks, concat: parseConcat(concat, grammar.blocks, at('concat')) };
}

function parseConcat(value: unknown, blocks: number, field: string): number[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new GenotypeError(field, `expected a non-empty array of state indices; received ${JSON.stringify(value)}`);
  const out = value.map((v, i) => parseState(v, blocks + 1, `${field}[${i}]`, `the concat of a ${blocks}-block cell`));
  out.forEach((v, i) => {
    const prev = out[i - 1];
    if (prev !== undefined && v <= prev) {
      throw new GenotypeError(`${field}[${i}]`, `expected strictly ascending state indices; received ${JSON.stringify(value)}`);
    }
  });
  return out;
}

export function serializeCell(cell: CellGenotype): { blocks: CellBlock[]; concat?: number[] } {
  const blocks = cell.blocks.map((b): CellBlock => ({ inputs: [b.inputs[0], b.inputs[1]], ops: [b.ops[0], b.ops[1]], combine: b.combine }));
  return cell.concat === undefined ? { blocks } : { blocks, concat: [...cell.concat] };
}

/** The states concatenated into the cell output (explicit list or the unused-states rule). */
export function concatStates(cell: CellGenotype): readonly number[] {
  return cell.concat ?? unusedStates(cell);
}

/**
 * Orders the branches of every `add` block by (input, op index in the grammar), and drops an
 * explicit `concat` that equals the unused-states rule.
 */
export function canonicalCell(cell: CellGenotype, grammar: CellGrammar): CellGenotype {
  const rule = unusedStates(cell);
  const explicit = cell.concat !== undefined && (cell.concat.length !== rule.length || cell.concat.some((v, i) => v !== rule[i]));
  return {
    ...(explicit ? { concat: cell.concat } : {}),
    blocks: cell.blocks.map((b) => {
      const k0 = b.inputs[0] * 1000 + grammar.ops.indexOf(b.ops[0]);
      const k1 = b.inputs[1] * 1000 + grammar.ops.indexOf(b.ops[1]);
      if (b.combine !== 'add' || k0 <= k1) return b;
      return { inputs: [b.inputs[1], b.inputs[0]], ops: [b.ops[1], b.ops[0]], combine: b.combine };
    }),
  };
}

/** `b0=sep_5x5(h_i)+sep_3x3(h_i-1); ...` */
export function describeCell(cell: CellGenotype): string {
  return (
    cell.blocks
      .map((b, k) => `b${k}=${b.ops[0]}(${stateName(b.inputs[0])})${b.combine === 'add' ? '+' : '|'}${b.ops[1]}(${stateName(b.inputs[1])})`)
      .join('; ') + (cell.concat ? `; concat(${cell.concat.map(stateName).join(',')})` : '')
  );
}

/** The decision layout of one cell; `prefix` names the cell (e.g. `normal.`). */
export function cellDecisions(grammar: CellGrammar, prefix: string): Decision[] {
  const out: Decision[] = [];
  for (let b = 0; b < grammar.blocks; b++) {
    const p = `${prefix}block${b}.`;
    out.push({ name: `${p}input1`, kind: 'input', choices: grammar.blocks + 1, validChoices: b + 2 });
    out.push({ name: `${p}input2`, kind: 'input', choices: grammar.blocks + 1, validChoices: b + 2 });
    out.push({ name: `${p}op1`, kind: 'op', choices: grammar.ops.length });
    out.push({ name: `${p}op2`, kind: 'op', choices: grammar.ops.length });
    if (grammar.combines.length > 1) out.push({ name: `${p}combine`, kind: 'combine', choices: grammar.combines.length });
  }
  return out;
}

export function encodeCell(cell: CellGenotype, grammar: CellGrammar): number[] {
  const out: number[] = [];
  for (const b of cell.blocks) {
    out.push(b.inputs[0], b.inputs[1], grammar.ops.indexOf(b.ops[0]), grammar.ops.indexOf(b.ops[1]));
    if (grammar.combines.length > 1) out.push(grammar.combines.indexOf(b.combine));
  }
  return out;
}

/** Decodes `seq` starting at `offset`; returns the cell and the offset after it. */
export function decodeCell(seq: readonly number[], offset: number, grammar: CellGrammar, path: string): [CellGenotype, number] {
  const per = grammar.combines.length > 1 ? 5 : 4;
  const need = offset + per * grammar.blocks;
  if (seq.length < need) throw new GenotypeError('sequence', `expected at least ${need} decisions; received ${seq.length}`);
  const blocks: unknown[] = [];
  let p = offset;
  for (let b = 0; b < grammar.blocks; b++) {
    const [op0, op1] = [seq[p + 2]!, seq[p + 3]!]; // in range: seq.length >= need
    const combine = per === 5 ? grammar.combines[seq[p + 4]!] : grammar.combines[0];
    blocks.push({ inputs: [seq[p], seq[p + 1]], ops: [grammar.ops[op0] ?? op0, grammar.ops[op1] ?? op1], combine: combine ?? seq[p + 4] });
    p += per;
  }
  return [parseCell({ blocks }, grammar, path), p];
}

export function sampleCell(grammar: CellGrammar, rng: Rng): CellGenotype {
  const blocks: CellBlock[] = [];
  for (let b = 0; b < grammar.blocks; b++) {
    blocks.push({
      inputs: [rng.int(b + 2), rng.int(b + 2)],
      ops: [rng.pick(grammar.ops), rng.pick(grammar.ops)],
      combine: rng.pick(grammar.combines),
    });
  }
  return { blocks };
}

/** The number of (ordered) cells the grammar allows: prod_b (b+2)^2 * |ops|^2 * |combines|. */
export function cellCount(grammar: CellGrammar): bigint {
  let n = 1n;
  const ops = BigInt(grammar.ops.length);
  for (let b = 0; b < grammar.blocks; b++) n *= BigInt((b + 2) * (b + 2)) * ops * ops * BigInt(grammar.combines.length);
  return n;
}

/**
 * Changes one decision of one block to a different allowed value (AmoebaNet's hidden-state and op
 * mutations, Real et al. 2019 Sec. 2, plus the combiner when the space has two).
 */
export function mutateCell(cell: CellGenotype, grammar: CellGrammar, rng: Rng): CellGenotype {
  const b = rng.int(cell.blocks.length);
  const block = cell.blocks[b]!;
  const kinds = ['input', 'op', ...(grammar.combines.length > 1 ? ['combine'] : [])];
  const kind = rng.pick(kinds);
  const side = rng.int(2) as 0 | 1;
  const other = <T>(values: readonly T[], current: T): T => {
    const rest = values.filter((v) => v !== current);
    return rng.pick(rest);
  };
  let next: CellBlock;
  if (kind === 'input') {
    const states = Array.from({ length: b + 2 }, (_, i) => i);
    const inputs: [number, number] = [block.inputs[0], block.inputs[1]];
    inputs[side] = other(states, inputs[side]);
    next = { ...block, inputs };
  } else if (kind === 'op') {
    const ops: [string, string] = [block.ops[0], block.ops[1]];
    ops[side] = other(grammar.ops, ops[side]);
    next = { ...block, ops };
  } else {
    next = { ...block, combine: other(grammar.combines, block.combine) };
  }
  return { ...cell, blocks: cell.blocks.map((x, i) => (i === b ? next : x)) };
}

/** Indices of states no block reads (these are concatenated into the cell output). */
export function unusedStates(cell: CellGenotype): number[] {
  const used = new Set<number>();
  for (const b of cell.blocks) for (const i of b.inputs) used.add(i);
  const out: number[] = [];
  for (let s = 0; s < cell.blocks.length + 2; s++) if (!used.has(s)) out.push(s);
  return out;
}
