// Lint rules. The architecture rule: core/ stays pure (no adapters, HTTP, frameworks, drivers or node:fs).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const IMPURE_FOR_CORE = [
  { group: ['**/adapters/**', '**/http/**', '**/cli/**', '**/config/**', '**/app.js', '**/main.js'], message: 'core/ must not depend on outer layers' },
  { group: ['fastify', 'fastify/*', '@fastify/*', 'kysely', 'better-sqlite3', 'pg', '@aws-sdk/*', 'pino', 'commander'], message: 'core/ must not depend on frameworks or drivers' },
  { group: ['node:fs', 'node:fs/*', 'fs', 'fs/*', 'node:http', 'node:net', 'node:child_process'], message: 'core/ does no I/O of its own; use a port' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web/dist/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', fetch: 'readonly', AbortController: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: IMPURE_FOR_CORE }] },
  },
);
