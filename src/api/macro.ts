/**
 * The macro network that trained trials build around the searched cells or blocks: the search
 * spec's `macro`, copied unchanged into every trial spec. The model builder (src/models) keeps the
 * papers' own names N and F internally; `builderMacro` translates.
 *
 * Field names are chosen so that no YAML reader takes them for something else: kubectl reads YAML
 * 1.1, where a key `N` is the boolean false, so `macro: {N: 2}` reached the CRD as
 * `{"false": 2}` and was lost. The old spellings are listed in RENAMED_MACRO_KEYS; the CLI and
 * the CRD both reject them with a message naming the new key.
 *
 * Pure: imports zod only.
 */
import { z } from 'zod';

/** Every macro field, all optional and without defaults (a trial spec falls back to the space's default macro). */
const macroShape = {
  cellsPerStage: z.number().int().min(1).max(12).optional().describe('Cells per stage (N in NASNet and PNAS; cell spaces only). Default: 1.'),
  filters: z.number().int().min(1).max(4096).optional().describe('Filters of the first stage (F in NASNet and PNAS; cell spaces only). Default: 8.'),
  classes: z.number().int().min(2).max(100_000).optional().describe('Output classes. Default: 10.'),
  stem: z.enum(['cifar', 'imagenet']).optional().describe('Cell spaces: cifar (3x3 stem conv) or imagenet (3x3/2 conv and two stem cells). Default: cifar.'),
  stemMultiplier: z
    .number()
    .int()
    .min(1)
    .max(16)
    .optional()
    .describe('Cell spaces: stem filters as a multiple of filters. Default: 3 for stem cifar, 1 for imagenet.'),
  skipReductionLayerInput: z.boolean().optional().describe('Cell spaces: a reduction cell also feeds the cell after next (TF-slim). Default: false.'),
  auxHead: z.boolean().optional().describe('Cell spaces: add the auxiliary classifier after the cell before the second reduction. Default: false.'),
  denseDropoutKeepProb: z.number().gt(0).max(1).optional().describe('Cell spaces: keep probability of the dropout before the classifier. Default: 1.'),
  numReductionLayers: z.number().int().min(0).max(4).optional().describe('Cell spaces: reduction cells in the network. Default: 2.'),
  stemFilters: z.number().int().min(1).max(4096).optional().describe('Block spaces (mnasnet, ponas): filters of the stem conv. Default: 32.'),
  headFilters: z.number().int().min(1).max(16_384).optional().describe('Block spaces: filters of the 1x1 head conv. Default: 1280.'),
  dropout: z.number().min(0).lt(1).optional().describe('Block spaces: dropout rate before the classifier. Default: 0.2.'),
  activation: z.enum(['relu', 'relu6']).optional().describe("Block spaces: relu or relu6. Default: the space's (relu for mnasnet, relu6 for ponas)."),
  seRule: z
    .enum(['input', 'expanded'])
    .optional()
    .describe("Block spaces: squeeze-and-excitation width from the block input or its expansion. Default: the space's."),
};

/** The trial spec's macro: every field optional except classes. */
export const trialMacroSchema = z.object({ ...macroShape, classes: macroShape.classes.unwrap() }).strict();

/**
 * What a search's `final` stage may change in the macro (NASNet's N@P scaling: more cells per
 * stage, more filters; an auxiliary head, dropout). Not `classes`: the dataset is the search's.
 */
export const macroOverridesSchema = z
  .object(Object.fromEntries(Object.entries(macroShape).filter(([k]) => k !== 'classes')) as Omit<typeof macroShape, 'classes'>)
  .strict()
  .describe('Macro fields the final networks change, e.g. {cellsPerStage: 6, filters: 32}; the rest, and classes, come from the search.');

export const MACRO_DEFAULTS = { cellsPerStage: 1, filters: 8, classes: 10 } as const;

/** The search spec's macro: cellsPerStage, filters and classes have defaults. */
export const searchMacroSchema = z
  .object({
    ...macroShape,
    cellsPerStage: macroShape.cellsPerStage
      .unwrap()
      .default(MACRO_DEFAULTS.cellsPerStage)
      .describe(macroShape.cellsPerStage.description ?? ''),
    filters: macroShape.filters
      .unwrap()
      .default(MACRO_DEFAULTS.filters)
      .describe(macroShape.filters.description ?? ''),
    classes: macroShape.classes
      .unwrap()
      .default(MACRO_DEFAULTS.classes)
      .describe(macroShape.classes.description ?? ''),
  })
  .strict()
  .describe('Macro network that trained trials build around the searched cells or blocks.');

export type Macro = z.infer<typeof trialMacroSchema>;

/**
 * Old macro keys and the field that replaced each. `false` is how kubectl (YAML 1.1) reads the key
 * `N`. Neither the CLI nor the CRD accepts them; both name the new field.
 */
export const RENAMED_MACRO_KEYS: Readonly<Record<string, { use: string; why: string }>> = {
  N: { use: 'cellsPerStage', why: 'macro.N was renamed' },
  F: { use: 'filters', why: 'macro.F was renamed' },
  false: { use: 'cellsPerStage', why: 'a YAML 1.1 reader such as kubectl reads the old key N as false; N was renamed' },
};

/** The macro in the model builder's terms (src/models: N cells per stage, F filters). */
export function builderMacro(m: Macro): Record<string, unknown> {
  const { cellsPerStage, filters, ...rest } = m;
  return { ...rest, ...(cellsPerStage !== undefined ? { N: cellsPerStage } : {}), ...(filters !== undefined ? { F: filters } : {}) };
}
