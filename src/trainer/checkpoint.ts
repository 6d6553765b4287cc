/**
 * Checkpoints of a training run: `checkpoints/<step>/weights.bin` (every model weight, BN moving
 * statistics included, then every optimizer slot, as little-endian float32), then
 * `checkpoints/<step>/state.json` (step, epoch, position in the epoch, RNG state, running epoch
 * sums, history, tensor index, byte count and SHA-256 of weights.bin), then `checkpoints/LATEST`.
 *
 * The write order makes a checkpoint complete exactly when its state.json exists and describes
 * the weights.bin beside it; LATEST is only a hint. A kill between any two writes leaves the
 * previous checkpoint usable, and {@link findLatestCheckpoint} falls back to the newest complete
 * one when LATEST points at a damaged or missing checkpoint.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isObjectNotFound, getJson, putJson, type ObjectStore } from '../store/object-store.js';
import { CHECKPOINTS, CHECKPOINT_LATEST, checkpointDir, checkpointStateKey, checkpointStepOf, checkpointWeightsKey } from '../api/store-layout.js';
import { epochRecordSchema } from '../api/trial-result.js';

export const checkpointStateSchema = z.object({
  schemaVersion: z.literal(1),
  trainingHash: z.string(),
  /** Optimizer steps completed. */
  step: z.number().int().min(0),
  /** Zero-based epoch in progress (equals `epochs` once training is complete). */
  epoch: z.number().int().min(0),
  /** Batches of `epoch` already trained. */
  batchInEpoch: z.number().int().min(0),
  rng: z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]),
  /** Running sums of the epoch in progress, so a resumed epoch reports the same mean loss. */
  epochSums: z.object({ loss: z.number(), correct: z.number(), seen: z.number(), seconds: z.number() }),
  history: z.array(epochRecordSchema),
  tensors: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()), length: z.number().int() })),
  optimizer: z.object({ type: z.string(), slotLengths: z.array(z.number().int()) }),
  bytes: z.number().int(),
  sha256: z.string(),
});

export type CheckpointState = z.infer<typeof checkpointStateSchema>;

/** What a checkpoint restores: the state plus tensors in state.tensors order, then optimizer slots. */
export interface Checkpoint {
  state: CheckpointState;
  weights: Float32Array[];
  slots: Float32Array[];
  key: string;
}

export type CheckpointInput = Omit<CheckpointState, 'schemaVersion' | 'tensors' | 'bytes' | 'sha256' | 'optimizer'> & {
  tensors: { name: string; shape: number[]; values: Float32Array }[];
  optimizer: { type: string; slots: Float32Array[] };
};

/** Writes a checkpoint (weights, then state, then LATEST) and keeps only the newest `keep`. */
export async function saveCheckpoint(store: ObjectStore, input: CheckpointInput, keep = 2): Promise<string> {
  const arrays = [...input.tensors.map((t) => t.values), ...input.optimizer.slots];
  const bytes = packFloat32(arrays);
  const state: CheckpointState = {
    schemaVersion: 1,
    trainingHash: input.trainingHash,
    step: input.step,
    epoch: input.epoch,
    batchInEpoch: input.batchInEpoch,
    rng: input.rng,
    epochSums: input.epochSums,
    history: input.history,
    tensors: input.tensors.map((t) => ({ name: t.name, shape: t.shape, length: t.values.length })),
    optimizer: { type: input.optimizer.type, slotLengths: input.optimizer.slots.map((a) => a.length) },
    bytes: bytes.byteLength,
    sha256: sha256(bytes),
  };
  await store.put(checkpointWeightsKey(input.step), bytes);
  await putJson(store, checkpointStateKey(input.step), state);
  await store.put(CHECKPOINT_LATEST, `${input.step}\n`);
  await prune(store, keep, input.step);
  return checkpointDir(input.step);
}

/** The newest complete checkpoint, or null when there is none. */
export async function findLatestCheckpoint(store: ObjectStore): Promise<Checkpoint | null> {
  const tried = new Set<number>();
  const hint = await readLatestHint(store);
  if (hint !== undefined) {
    tried.add(hint);
    const cp = await tryLoad(store, hint);
    if (cp) return cp;
  }
  for (const step of (await listSteps(store)).reverse()) {
    if (tried.has(step)) continue;
    const cp = await tryLoad(store, step);
    if (cp) return cp;
  }
  return null;
}

async function readLatestHint(store: ObjectStore): Promise<number | undefined> {
  try {
    const text = new TextDecoder().decode(await store.get(CHECKPOINT_LATEST)).trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch (err) {
    if (isObjectNotFound(err)) return undefined;
    throw err;
  }
}

async function listSteps(store: ObjectStore): Promise<number[]> {
  const steps = new Set<number>();
  for (const key of await store.list(`${CHECKPOINTS}/`)) {
    const s = checkpointStepOf(key);
    if (s !== undefined) steps.add(s);
  }
  return [...steps].sort((a, b) => a - b);
}

/** Loads checkpoint `step` if it is complete and intact; null otherwise (never throws on damage). */
async function tryLoad(store: ObjectStore, step: number): Promise<Checkpoint | null> {
  let state: CheckpointState;
  let bytes: Uint8Array;
  try {
    const parsed = checkpointStateSchema.safeParse(await getJson(store, checkpointStateKey(step)));
    if (!parsed.success || parsed.data.step !== step) return null;
    state = parsed.data;
    bytes = await store.get(checkpointWeightsKey(step));
  } catch (err) {
    if (isObjectNotFound(err) || err instanceof SyntaxError) return null;
    throw err;
  }
  if (bytes.byteLength !== state.bytes || sha256(bytes) !== state.sha256) return null;
  const lengths = [...state.tensors.map((t) => t.length), ...state.optimizer.slotLengths];
  if (lengths.reduce((n, l) => n + l, 0) * 4 !== bytes.byteLength) return null;
  const arrays = unpackFloat32(bytes, lengths);
  return {
    state,
    weights: arrays.slice(0, state.tensors.length),
    slots: arrays.slice(state.tensors.length),
    key: checkpointDir(step),
  };
}

async function prune(store: ObjectStore, keep: number, newest: number): Promise<void> {
  const steps = (await listSteps(store)).filter((s) => s !== newest);
  const drop = steps.slice(0, Math.max(0, steps.length - (keep - 1)));
  for (const step of drop) {
    // State first: without it the checkpoint is incomplete and no reader will pick it up.
    await store.delete(checkpointStateKey(step));
    await store.delete(checkpointWeightsKey(step));
  }
}

function packFloat32(arrays: readonly Float32Array[]): Uint8Array {
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return new Uint8Array(out.buffer);
}

function unpackFloat32(bytes: Uint8Array, lengths: readonly number[]): Float32Array[] {
  const all = new Float32Array(bytes.slice().buffer);
  const out: Float32Array[] = [];
  let at = 0;
  for (const n of lengths) {
    out.push(all.slice(at, at + n));
    at += n;
  }
  return out;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
