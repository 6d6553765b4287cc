// Lint rules that keep each role in its place (STYLE.md principle 2): workflow code stays
// deterministic, and pure algorithm/space code does no I/O.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'child_process', 'net', 'http', 'https', 'os', 'crypto', 'worker_threads', 'process'];
const nodeBuiltinPatterns = nodeBuiltins.flatMap((m) => [m, `node:${m}`, `${m}/*`, `node:${m}/*`]);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'scripts/**', 'helm/**', 'k8s/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's describe/it return promises the runner itself tracks.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltinPatterns,
        patterns: [
          { group: ['@kubernetes/*', '@aws-sdk/*', '@tensorflow/*'], message: 'workflow code must stay deterministic: do I/O in activities' },
          { group: ['**/src/algorithms/**', '**/src/models/**', '**/src/trainer/**', '**/src/store/**', '**/src/kube/**'], message: 'workflows may import src/common and src/api only' },
        ],
      }],
    },
  },
  {
    files: ['src/algorithms/**/*.ts', 'src/space/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltinPatterns,
        patterns: [
          { group: ['@temporalio/*', '@kubernetes/*', '@aws-sdk/*'], message: 'pure algorithm and space code does no I/O and knows nothing of Temporal or Kubernetes' },
        ],
      }],
    },
  },
);
