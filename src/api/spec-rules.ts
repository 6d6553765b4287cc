/**
 * Every cross-field rule of the search spec, written once: a TypeScript predicate the CLI (zod
 * `superRefine`) runs and the same rule in CEL that src/kube/crd.ts puts into the CRD's
 * `x-kubernetes-validations` on `spec`. Regular expressions are shared strings, so both sides
 * test the same pattern (each is valid in JavaScript and in RE2, CEL's engine). The corpus test
 * (test/integration/kube/spec-corpus.test.ts) feeds both the same documents and compares verdicts.
 *
 * Pure: no imports.
 */

/** The parts of a defaulted spec the rules read (the resource's spec has the same fields). */
export interface RuleSubject {
  algorithm: Record<string, unknown> & {
    mnasnetRL?: { cost: { metric: string; device?: string } };
    ponas?: { budget?: unknown; cost?: { metric?: string; latencyTable?: unknown }; supernet?: unknown };
  };
  space: string;
  evaluator: { type: string; benchmark?: string };
  budget: { maxTrials: number; maxFailedTrials: number };
  dataset?: string;
  storage: string;
  final?: unknown;
  trial?: { perGpu?: number };
  /** The resource's latency block carries a pod template; the search spec's never does. */
  latency?: { device: string; template?: unknown };
}

export interface SpecRule {
  /** Field the error is reported on, relative to the spec. */
  path: readonly string[];
  message: string;
  holds(s: RuleSubject): boolean;
  /** The same rule in CEL, with `self` the spec. */
  cel: string;
  reason?: 'FieldValueRequired' | 'FieldValueForbidden';
}

/**
 * Storage URIs (see storageUriProblem in search-spec.ts): scheme, S3 bucket name, kernel pseudo-filesystems.
 * Written in the syntax JavaScript and CEL's RE2 share: no inline flags such as `(?i:...)`, which
 * RE2 has but V8 only from Node 23 (the engines field allows Node 22).
 */
export const STORAGE_PATTERNS = {
  anyScheme: '^[a-zA-Z][a-zA-Z0-9+.-]+:',
  supportedScheme: '^([sS]3|[fF][iI][lL][eE])://',
  s3: '^[sS]3://',
  s3Bucket: '^[sS]3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/|$)',
  pseudoFs: '^([fF][iI][lL][eE]://)?/(proc|sys|dev)(/|$)',
} as const;

const test = (pattern: string, value: string): boolean => new RegExp(pattern).test(value);

/** Algorithm members, in the order of the spec's one-of (kept by the caller, from the registry). */
export function specRules(algorithmKeys: readonly string[]): SpecRule[] {
  const benchmarks = 'nb201-cifar10, nb201-cifar100, nb201-imagenet16-120';
  return [
    {
      path: ['algorithm'],
      message: `set exactly one of ${algorithmKeys.join(', ')}`,
      holds: (s) => algorithmKeys.filter((k) => s.algorithm[k] !== undefined).length === 1,
      cel: `[${algorithmKeys.map((k) => `has(self.algorithm.${k})`).join(', ')}].exists_one(x, x)`,
    },
    {
      path: ['evaluator', 'benchmark'],
      message: `required when evaluator.type is benchmark: one of ${benchmarks}`,
      holds: (s) => s.evaluator.type !== 'benchmark' || s.evaluator.benchmark !== undefined,
      cel: "self.evaluator.type != 'benchmark' || has(self.evaluator.benchmark)",
      reason: 'FieldValueRequired',
    },
    {
      path: ['space'],
      message: 'the NAS-Bench-201 benchmark evaluator needs space nb201',
      holds: (s) => s.evaluator.type !== 'benchmark' || s.space === 'nb201',
      cel: "self.evaluator.type != 'benchmark' || self.space == 'nb201'",
    },
    {
      path: ['algorithm', 'mnasnetRL', 'cost', 'device'],
      message: 'required with the NAS-Bench-201 evaluator and metric latency: a device of data/benchmarks/nb201-hwlatency.json, e.g. pixel3, raspi4 or fpga',
      holds: (s) => !(s.evaluator.type === 'benchmark' && s.algorithm.mnasnetRL?.cost.metric === 'latency' && s.algorithm.mnasnetRL.cost.device === undefined),
      cel: "!(self.evaluator.type == 'benchmark' && has(self.algorithm.mnasnetRL) && self.algorithm.mnasnetRL.cost.metric == 'latency' && !has(self.algorithm.mnasnetRL.cost.device))",
      reason: 'FieldValueRequired',
    },
    {
      path: ['algorithm', 'mnasnetRL', 'cost', 'device'],
      message: 'only for the NAS-Bench-201 evaluator with metric latency (a trained trial measures latency on the device it runs on); remove it',
      holds: (s) => s.algorithm.mnasnetRL?.cost.device === undefined || (s.evaluator.type === 'benchmark' && s.algorithm.mnasnetRL.cost.metric === 'latency'),
      cel: "!has(self.algorithm.mnasnetRL) || !has(self.algorithm.mnasnetRL.cost.device) || (self.evaluator.type == 'benchmark' && self.algorithm.mnasnetRL.cost.metric == 'latency')",
    },
    {
      path: ['dataset'],
      message: 'required when evaluator.type is train: a dataset URI such as file:///data/cifar10 or s3://bucket/cifar10',
      holds: (s) => s.evaluator.type !== 'train' || s.dataset !== undefined,
      cel: "self.evaluator.type != 'train' || has(self.dataset)",
      reason: 'FieldValueRequired',
    },
    {
      path: ['storage'],
      message: 'this scheme is not supported; use s3://bucket/prefix, file:///absolute/path or a filesystem path',
      holds: (s) => !test(STORAGE_PATTERNS.anyScheme, s.storage) || test(STORAGE_PATTERNS.supportedScheme, s.storage),
      cel: `!self.storage.matches('${STORAGE_PATTERNS.anyScheme}') || self.storage.matches('${STORAGE_PATTERNS.supportedScheme}')`,
    },
    {
      path: ['storage'],
      message: 'expected s3://<bucket>/<prefix> with a bucket name of 3-63 lower-case letters, digits, "." or "-"',
      holds: (s) => !test(STORAGE_PATTERNS.s3, s.storage) || test(STORAGE_PATTERNS.s3Bucket, s.storage),
      cel: `!self.storage.matches('${STORAGE_PATTERNS.s3}') || self.storage.matches('${STORAGE_PATTERNS.s3Bucket}')`,
    },
    {
      path: ['storage'],
      message: 'is under /proc, /sys or /dev, kernel pseudo-filesystems; use a directory on a real disk or an s3:// URI',
      holds: (s) => !test(STORAGE_PATTERNS.pseudoFs, s.storage),
      cel: `!self.storage.matches('${STORAGE_PATTERNS.pseudoFs}')`,
    },
    ...(['budget', 'cost'] as const).map((key): SpecRule => ({
      path: ['algorithm', 'ponas', key],
      message: 'per-layer candidate costs come from the cost model of space ponas; use space ponas or remove this field',
      holds: (s) => s.algorithm.ponas?.[key] === undefined || s.space === 'ponas',
      cel: `!has(self.algorithm.ponas) || !has(self.algorithm.ponas.${key}) || self.space == 'ponas'`,
    })),
    {
      path: ['algorithm', 'ponas', 'cost', 'latencyTable'],
      message:
        'required with cost.metric latency: the latency table whose per-layer latencies price the budget in ms; profile it with nasflow latency profile --space ponas --out FILE, or choose metric flops or params',
      holds: (s) => s.algorithm.ponas?.cost?.metric !== 'latency' || s.algorithm.ponas.cost.latencyTable !== undefined,
      cel: "!has(self.algorithm.ponas) || !has(self.algorithm.ponas.cost) || !has(self.algorithm.ponas.cost.metric) || self.algorithm.ponas.cost.metric != 'latency' || has(self.algorithm.ponas.cost.latencyTable)",
      reason: 'FieldValueRequired',
    },
    {
      path: ['algorithm', 'ponas', 'cost', 'latencyTable'],
      message: 'is read only with cost.metric latency; set metric latency or remove this field',
      holds: (s) => s.algorithm.ponas?.cost?.latencyTable === undefined || s.algorithm.ponas.cost.metric === 'latency',
      cel: "!has(self.algorithm.ponas) || !has(self.algorithm.ponas.cost) || !has(self.algorithm.ponas.cost.latencyTable) || (has(self.algorithm.ponas.cost.metric) && self.algorithm.ponas.cost.metric == 'latency')",
      reason: 'FieldValueForbidden',
    },
    {
      path: ['algorithm', 'ponas', 'supernet'],
      message: 'the one-shot supernet needs space ponas and evaluator.type train; remove it to fill the table by evaluating architectures directly',
      holds: (s) => s.algorithm.ponas?.supernet === undefined || (s.space === 'ponas' && s.evaluator.type === 'train'),
      cel: "!has(self.algorithm.ponas) || !has(self.algorithm.ponas.supernet) || (self.space == 'ponas' && self.evaluator.type == 'train')",
    },
    {
      path: ['final'],
      message: 'final training needs trained trials (evaluator.type train); remove final for a benchmark search',
      holds: (s) => s.final === undefined || s.evaluator.type === 'train',
      cel: "!has(self.final) || self.evaluator.type == 'train'",
    },
    {
      path: ['latency'],
      message:
        'latency is measured by trained trials (evaluator.type train); a benchmark search prices latency from its table (algorithm.mnasnetRL.cost.device); remove latency',
      holds: (s) => s.latency === undefined || s.evaluator.type === 'train',
      cel: "!has(self.latency) || self.evaluator.type == 'train'",
    },
    {
      path: ['latency', 'template'],
      message: 'the latency pod template is used only by the separate latency step: set latency.device to pool, or remove latency.template',
      holds: (s) => s.latency?.template === undefined || s.latency.device === 'pool',
      cel: "!has(self.latency) || !has(self.latency.template) || self.latency.device == 'pool'",
    },
    {
      path: ['trial', 'perGpu'],
      message: 'packs trained trials onto one GPU; a benchmark evaluator trains nothing: set trial.perGpu to 1 or remove it',
      holds: (s) => s.trial?.perGpu === undefined || s.trial.perGpu === 1 || s.evaluator.type === 'train',
      cel: "!has(self.trial) || !has(self.trial.perGpu) || self.trial.perGpu == 1 || self.evaluator.type == 'train'",
      reason: 'FieldValueForbidden',
    },
    {
      // Values up to the default (3) are always allowed, so the default never rejects a small search
      // (CEL cannot tell a default from a written value).
      path: ['budget', 'maxFailedTrials'],
      message: 'must not exceed budget.maxTrials; values up to the default 3 are always allowed',
      holds: (s) => s.budget.maxFailedTrials <= Math.max(s.budget.maxTrials, 3),
      cel: 'self.budget.maxFailedTrials <= self.budget.maxTrials || self.budget.maxFailedTrials <= 3',
    },
  ];
}
