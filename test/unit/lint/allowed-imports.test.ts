/**
 * The allow-list lint rule that keeps workflow code deterministic and algorithm code pure: the
 * imports the issue found passing the old deny-list (node:timers, node:util, events, value imports
 * of activities, src/launch and src/cli in workflows; src/store and src/launch in algorithms) are
 * refused, and what the code legitimately imports passes.
 */
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const { default: rule } = (await import(pathToFileURL(join(root, 'eslint-rules', 'allowed-imports.js')).href)) as { default: import('eslint').Rule.RuleModule };

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it;

const tester = new RuleTester({ languageOptions: { parser: tseslint.parser as never, sourceType: 'module' } });

type RuleOptions = { allow: string[]; typeOnly?: string[]; why: string };
type ConfigBlock = { files?: string[]; rules?: Record<string, unknown> };
const { default: config } = (await import(pathToFileURL(join(root, 'eslint.config.js')).href)) as { default: ConfigBlock[] };

/** The options the project's own eslint.config.js gives the rule for files matching `glob`. */
function projectOptions(glob: string): RuleOptions {
  const block = config.find((b) => b.files?.includes(glob) && b.rules?.['nasflow/allowed-imports']);
  if (!block) throw new Error(`eslint.config.js has no nasflow/allowed-imports block for ${glob}`);
  return (block.rules!['nasflow/allowed-imports'] as [string, RuleOptions])[1];
}
const workflowRule = projectOptions('workflows/**/*.ts');
const pureRule = projectOptions('src/algorithms/**/*.ts');
const inWorkflows = join(root, 'workflows', 'example.ts');
const inAlgorithm = join(root, 'src', 'algorithms', 'pnas', 'example.ts');

tester.run('allowed-imports in workflows/', rule, {
  valid: [
    "import { proxyActivities } from '@temporalio/workflow';",
    "import { ApplicationFailure } from '@temporalio/common';",
    "import { SearchRun } from './search-run.js';",
    "import type { SearchSpec } from '../src/api/search-spec.js';",
    "import { trialIdFor } from '../src/common/ids.js';",
    "import type { createActivities } from '../activities/search.activities.js';",
    "import { type createActivities } from '../activities/search.activities.js';",
  ].map((code) => ({ code, filename: inWorkflows, options: [workflowRule] })),
  invalid: (
    [
      ["import { setTimeout } from 'node:timers';", 'notAllowed'],
      ["import { inspect } from 'node:util';", 'notAllowed'],
      ["import { EventEmitter } from 'events';", 'notAllowed'],
      ["import { createActivities } from '../activities/search.activities.js';", 'typesOnly'],
      ["import { LocalLauncher } from '../src/launch/local-launcher.js';", 'notAllowed'],
      ["import { main } from '../src/cli/main.js';", 'notAllowed'],
      ["import { createSearch } from '../src/algorithms/registry.js';", 'notAllowed'],
      ["export { storeFor } from '../src/store/index.js';", 'notAllowed'],
      ["const m = await import('../src/kube/adapter.js');", 'notAllowed'],
    ] satisfies [string, string][]
  ).map(([code, messageId]) => ({ code, filename: inWorkflows, options: [workflowRule], errors: [{ messageId }] })),
});

tester.run('allowed-imports in src/algorithms/', rule, {
  valid: [
    "import * as tf from '@tensorflow/tfjs';",
    "import { z } from 'zod';",
    "import { parsePnasCell } from '../../space/pnas.js';",
    "import { SeededRng } from '../../common/rng.js';",
    "import { BaseSearch } from '../base.js';",
  ].map((code) => ({ code, filename: inAlgorithm, options: [pureRule] })),
  invalid: [
    "import { storeFor } from '../../store/index.js';",
    "import { LocalLauncher } from '../../launch/local-launcher.js';",
    "import { readFileSync } from 'node:fs';",
    "import { Client } from '@temporalio/client';",
    "import * as k8s from '@kubernetes/client-node';",
    "import '@tensorflow/tfjs-node';",
  ].map((code) => ({ code, filename: inAlgorithm, options: [pureRule], errors: [{ messageId: 'notAllowed' }] })),
});
