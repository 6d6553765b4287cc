/**
 * Builds one NASNet latency part (src/algorithms/rl/nasnet-latency-keys.ts `NasnetPart`) on any
 * `Net` with the calls the network itself makes (src/models/cell-net.ts, cell-macro.ts, ops.ts):
 * on `TfjsNet` it is the tiny model the profile times, on `CostNet` its analytic cost (the unit
 * test that checks the keys against the whole network).
 */
import type { NasnetLatencyMacro, NasnetPart } from '../algorithms/rl/nasnet-latency-keys.js';
import type { Net } from '../models/net.js';
import { applyOp, factorizedReduction } from '../models/ops.js';
import type { CellMacro } from '../models/cell-macro.js';

export function buildNasnetPart<T>(net: Net<T>, x: T, part: NasnetPart, m: NasnetLatencyMacro, classes: number): T {
  switch (part.kind) {
    case 'stem': {
      if (m.stem === 'imagenet') {
        const filters = Math.floor(32 * (m.stemMultiplier ?? 1));
        return net.bn(net.conv(x, { filters, kernel: [3, 3], stride: 2, padding: 'valid' }));
      }
      return net.bn(net.conv(x, { filters: Math.floor(m.filters * (m.stemMultiplier ?? 3)), kernel: [3, 3] }));
    }
    case 'preamble': {
      const y = net.act(x, 'relu');
      return part.stride === 2 ? factorizedReduction(net, y, part.filters, 2) : net.bn(net.conv(y, { filters: part.filters, kernel: [1, 1] }));
    }
    case 'op':
      return applyOp(net, x, part.op, { filters: part.filters, stride: part.stride });
    case 'combine':
      return part.combine === 'add' ? net.add(x, x) : net.concat([x, x]);
    case 'reduce-output':
      return factorizedReduction(net, x, part.filters, part.stride);
    case 'concat':
      return net.concat(Array.from({ length: part.pieces }, () => x));
    case 'head':
      return net.dense(net.globalPool(net.act(x, 'relu')), classes);
  }
}

/** The `CellMacro` the network is built with at a table's macro, input size and classes (inference: no drop path, no aux head). */
export function cellMacroOf(m: NasnetLatencyMacro, imageSize: number, classes: number): CellMacro {
  return {
    stem: m.stem,
    inputSize: imageSize,
    classes,
    N: m.cellsPerStage,
    F: m.filters,
    ...(m.stemMultiplier !== undefined ? { stemMultiplier: m.stemMultiplier } : {}),
    ...(m.skipReductionLayerInput !== undefined ? { skipReductionLayerInput: m.skipReductionLayerInput } : {}),
  };
}

/** The latency macro of a cell macro, with its defaults filled in; null when the macro has settings a table cannot express. */
export function latencyMacroOf(c: CellMacro): Required<NasnetLatencyMacro> | null {
  if (c.numCells !== undefined || (c.numReductionLayers ?? 2) !== 2 || (c.poolPadding ?? 'same') !== 'same') return null;
  return withMacroDefaults({
    stem: c.stem,
    cellsPerStage: c.N,
    filters: c.F,
    ...(c.stemMultiplier !== undefined ? { stemMultiplier: c.stemMultiplier } : {}),
    ...(c.skipReductionLayerInput !== undefined ? { skipReductionLayerInput: c.skipReductionLayerInput } : {}),
  });
}

/** A latency macro with the builders' defaults filled in: stem multiplier 1 on the ImageNet stem and 3 on the CIFAR one, no reduction-input skip. */
export function withMacroDefaults(m: NasnetLatencyMacro): Required<NasnetLatencyMacro> {
  return {
    stem: m.stem,
    cellsPerStage: m.cellsPerStage,
    filters: m.filters,
    stemMultiplier: m.stemMultiplier ?? (m.stem === 'imagenet' ? 1 : 3),
    skipReductionLayerInput: m.skipReductionLayerInput ?? false,
  };
}
