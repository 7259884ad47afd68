// Lint for every workspace: typescript-eslint's type-checked rules. Types come from each
// workspace's tsconfig.test.json, so tests and the shared testing/ helpers are linted (and
// type-checked) like the code they test.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'URL',
    'Buffer',
    'performance',
    'fetch',
    'AbortController',
    'AbortSignal',
    'TextEncoder',
    'TextDecoder',
    'structuredClone',
    'queueMicrotask',
    'globalThis',
    'URLSearchParams',
  ].map((g) => [g, 'readonly']),
);

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'agent/build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: {
      parserOptions: {
        project: ['./protocol/tsconfig.test.json', './agent/tsconfig.test.json', './collector/tsconfig.test.json', './dashboards/tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // An async function that implements a Promise-returning contract without awaiting (a
      // probe reading a fixture, a test double of a sender) is correct; the promise bugs that
      // matter are floating or misused promises, which the two rules above and below catch.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // Tests read HTTP answers and fixtures as untyped JSON on purpose: their assertions are the
    // type check. Production code gets the unsafe-any rules in full.
    files: ['**/*.test.ts', 'testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['vitest.config.ts', '**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { parserOptions: { project: false }, globals: nodeGlobals },
  },
  {
    // The console's one script runs in the browser, not in Node.
    files: ['collector/src/console/assets/*.js'],
    languageOptions: { globals: Object.fromEntries(['document', 'window', 'HTMLFormElement', 'HTMLSelectElement', 'Event'].map((g) => [g, 'readonly'])) },
  },
);
