// Lint rules that keep each role in its place (docs/style.md principle 2), as allow-lists: workflow code stays
// deterministic, and pure algorithm/space code does no I/O.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import allowedImports from './eslint-rules/allowed-imports.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'scripts/**', 'helm/**', 'k8s/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { nasflow: { rules: { 'allowed-imports': allowedImports } } },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's describe/it return promises the runner itself tracks.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'nasflow/allowed-imports': [
        'error',
        {
          allow: ['@temporalio/workflow', '@temporalio/common', 'workflows/', 'src/api/', 'src/common/'],
          typeOnly: ['activities/'],
          why: 'workflow code must replay deterministically (docs/design.md rule 1): do I/O and numeric learning in activities',
        },
      ],
    },
  },
  {
    files: ['src/algorithms/**/*.ts', 'src/space/**/*.ts'],
    rules: {
      'nasflow/allowed-imports': [
        'error',
        {
          allow: ['@tensorflow/tfjs', 'zod', 'src/algorithms/', 'src/space/', 'src/common/', 'src/api/'],
          why: 'pure algorithm and space code does no I/O and knows nothing of Temporal or Kubernetes',
        },
      ],
    },
  },
  {
    files: ['src/api/**/*.ts', 'src/common/**/*.ts'],
    rules: {
      'nasflow/allowed-imports': [
        'error',
        {
          allow: ['zod', '@temporalio/common', 'src/api/', 'src/common/', 'src/space/', 'src/algorithms/'],
          why: 'contracts and common code are imported by workflows, so they stay pure: no I/O, no Temporal activity or Kubernetes code',
        },
      ],
    },
  },
);
