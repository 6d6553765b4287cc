/**
 * Picks the fastest TensorFlow.js backend that loads here: the native tfjs-node build that
 * scripts/provision-tfjs-node.sh leaves in the tools cache (in the GPU image, the build against
 * TensorFlow's CUDA wheel, which uses a GPU when one is visible), then the pure-JS CPU backend of
 * `@tensorflow/tfjs`, with a warning saying why the native one was passed over. A backend counts as loaded only after a convolution gradient ran
 * on it and gave the right number.
 *
 * Use the returned `tf` for everything. (All tfjs-core copies in a process share one engine and
 * one kernel registry through globals, so a statically imported `@tensorflow/tfjs` runs on the
 * selected backend too; but only the returned namespace is guaranteed to be the one that loaded.)
 */
import { createRequire } from 'node:module';
import type * as tfjs from '@tensorflow/tfjs';
import { defaultToolsDir, readNativeStatus } from './native-cache.js';

export type Tf = typeof tfjs;
export type BackendName = 'tfjs-node' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tfjs-node', 'cpu'];

export interface LoadedBackend {
  tf: Tf;
  /** Which one loaded: 'tfjs-node' (native, tools cache) or 'cpu' (pure JS). */
  backend: BackendName;
  /** The native build's flavour (`cpu`: tensorflow-cpu, `gpu`: tensorflow + CUDA wheels). */
  flavour?: 'cpu' | 'gpu';
  /** Native only: TensorFlow listed a GPU device (tfjs-node's `isUsingGpuDevice`). */
  usingGpu: boolean;
  /** Set when a faster backend was tried and passed over; says which and why. */
  warning?: string;
}

export interface SelectArgs {
  /** Backends to try, in order; 'cpu' should come last as it always loads. Default: all three, fastest first. */
  order?: readonly BackendName[];
  /** Tools cache root holding the native build. Default: $NASFLOW_TOOLS_DIR or ~/.cache/nasflow/tools. */
  toolsDir?: string;
}

const require = createRequire(import.meta.url);

/**
 * Node >= 23 removed util.isNullOrUndefined and friends, which tfjs-node 4.22 calls on every op.
 * The native build is patched at provisioning; the names are also put back on the shared util
 * module (only where missing, with their documented meaning) for a build patched by an older script.
 */
function restoreRemovedUtil(): void {
  const util = require('node:util') as Record<string, unknown>;
  util.isNullOrUndefined ??= (x: unknown) => x === null || x === undefined;
  util.isArray ??= Array.isArray;
}

/**
 * Loading a second tfjs copy re-registers the same 4.22 kernels into the shared registry and
 * prints one "already registered" line per kernel (hundreds); those lines are dropped while it
 * loads. (TensorFlow's two C++ info lines at load time are written before its logging is set up
 * and cannot be silenced from here.)
 */
async function quietly<T>(load: () => T | Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && /is already registered/.test(args[0])) return;
    warn(...args);
  };
  try {
    return await load();
  } finally {
    console.warn = warn;
  }
}

/** Runs a 3x3 conv and its filter gradient on ones: both must sum to 36 on a working backend. */
function smokeTest(tf: Tf): void {
  const [y, g] = tf.tidy(() => {
    const x = tf.ones([1, 4, 4, 1]) as tfjs.Tensor4D;
    const k = tf.ones([3, 3, 1, 1]) as tfjs.Tensor4D;
    const grad = tf.grad((f) => tf.conv2d(x, f as tfjs.Tensor4D, 1, 'valid').sum())(k);
    return [tf.conv2d(x, k, 1, 'valid').sum().dataSync()[0], grad.sum().dataSync()[0]];
  });
  if (y !== 36 || g !== 36) {
    throw new Error(`smoke test: conv2d sum ${y} and filter-gradient sum ${g}, expected 36 and 36`);
  }
}

/** Loads a tfjs-node flavour from a module id or path and checks that 'tensorflow' is active. */
async function loadNode(id: string): Promise<Tf> {
  restoreRemovedUtil();
  const tf = await quietly(() => require(id) as Tf);
  await tf.ready();
  if (tf.getBackend() !== 'tensorflow') {
    // Registering does not switch if another backend was already initialised in this process.
    if (!(await tf.setBackend('tensorflow'))) {
      throw new Error(`backend 'tensorflow' did not initialise (active: ${tf.getBackend()})`);
    }
  }
  smokeTest(tf);
  return tf;
}

async function loadOne(name: BackendName, toolsDir: string): Promise<Omit<LoadedBackend, 'warning'>> {
  switch (name) {
    case 'tfjs-node': {
      const status = readNativeStatus(toolsDir);
      if (!status.ok) throw new Error(status.reason);
      const tf = await loadNode(status.module);
      const usingGpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
      return { tf, backend: name, flavour: status.flavour, usingGpu };
    }
    case 'cpu': {
      const tf = await quietly(async () => (await import('@tensorflow/tfjs')) as Tf);
      if (!(await tf.setBackend('cpu'))) throw new Error('the pure-JS cpu backend did not initialise');
      smokeTest(tf);
      return { tf, backend: name, usingGpu: false };
    }
  }
}

/** First line of an error, without the stack, for the warning. */
function reasonOf(err: unknown): string {
  const [first = ''] = (err instanceof Error ? err.message : String(err)).split('\n');
  return first;
}

/** Tries each backend in order and returns the first that loads and passes the smoke test. */
export async function loadFastestBackend(args: SelectArgs = {}): Promise<LoadedBackend> {
  const order = args.order ?? BACKEND_NAMES;
  // The one exception to "only entry points read the environment": every caller wants the
  // same cache the provisioning script wrote, and the script is configured by the environment.
  const toolsDir = args.toolsDir ?? defaultToolsDir(process.env);
  for (const name of order) {
    if (!BACKEND_NAMES.includes(name)) {
      throw new Error(`backend order entry must be one of ${BACKEND_NAMES.join(', ')}; received ${JSON.stringify(name)}`);
    }
  }
  const skipped: string[] = [];
  for (const name of order) {
    try {
      const loaded = await loadOne(name, toolsDir);
      const warning =
        skipped.length === 0
          ? undefined
          : `using the ${name} backend; faster ones did not load: ${skipped.join('; ')}` +
            (name === 'cpu' ? ' (pure-JS training is about 100x slower than native)' : '');
      return { ...loaded, warning };
    } catch (err) {
      skipped.push(`${name}: ${reasonOf(err)}`);
    }
  }
  throw new Error(`no TensorFlow.js backend loaded: ${skipped.join('; ')}`);
}
