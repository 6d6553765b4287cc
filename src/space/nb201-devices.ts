/**
 * The device settings of data/benchmarks/nb201-hwlatency.json (HELP, Lee et al. 2021), as data so
 * that the spec schema can validate `cost.device` without reading the file; a unit test checks
 * this list against the file's header. GPUs carry the batch size as a suffix (`_1`, `_32`, `_256`).
 */
export const NB201_LATENCY_DEVICES = [
  '1080ti_1',
  '1080ti_256',
  '1080ti_32',
  '2080ti_1',
  '2080ti_256',
  '2080ti_32',
  'essential_ph_1',
  'eyeriss',
  'fpga',
  'gold_6226',
  'gold_6240',
  'pixel2',
  'pixel3',
  'raspi4',
  'samsung_a50',
  'samsung_s7',
  'silver_4114',
  'silver_4210r',
  'titan_rtx_1',
  'titan_rtx_256',
  'titan_rtx_32',
  'titanx_1',
  'titanx_256',
  'titanx_32',
  'titanxp_1',
  'titanxp_256',
  'titanxp_32',
] as const;

export type Nb201LatencyDevice = (typeof NB201_LATENCY_DEVICES)[number];
