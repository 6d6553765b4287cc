/**
 * Model building for nasflow: genotype + macro config -> tfjs model or analytic cost, and the
 * reference model zoo. See `build.ts` for the API and `net.ts` for how one description serves both.
 */
export { buildModel, buildDef, costOf, costOfDef, shapeTrace, networkDef, defaultBn, trainableParams, DEFAULT_MACROS } from './build.js';
export type { BuildModelArgs, BuildOptions, MacroConfig, NetworkDef } from './build.js';
export type { CellMacro, CellFamily } from './cell-macro.js';
export type { ChainMacro } from './mbconv.js';
export type { Cost } from './cost-net.js';
export type { Tf, BnArgs } from './tfjs-net.js';
export { registerDropPath, setDropPathProgress, dropPathKeep, DROP_PATH_CLASS } from './drop-path.js';
export { getModel, listModels, registerModel, type ZooEntry, type ZooFigures } from './zoo.js';
export { saveModelToDir, loadModelFromDir } from './model-files.js';
