// ESLint flat config: typescript-eslint's type-aware rules on every TypeScript file.
// The rules named below guard what hurts a daemon most: a dropped promise (an unhandled rejection kills a
// child), a switch that forgets a new union member, and process.exit outside the command line.
import comments from '@eslint-community/eslint-plugin-eslint-comments';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// Builtins importable without the prefix (node:test and node:sqlite exist only with it).
const NODE_BUILTINS = builtinModules.filter(
  (name) => !name.startsWith('_') && !name.startsWith('node:') && !name.includes('/'),
);

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', 'test/fixtures/', 'test-artifacts/', 'test/bench/results/']),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    plugins: { '@eslint-community/eslint-comments': comments },
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // An `any` needs a reason: `// eslint-disable-next-line @typescript-eslint/no-explicit-any -- why`.
      '@typescript-eslint/no-explicit-any': 'error',
      // A leading underscore marks a parameter an interface makes us accept (tsc's noUnusedParameters agrees).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }],
      eqeqeq: ['error', 'always'],
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.map((name) => ({
            name,
            message: `Import 'node:${name}' (the node: prefix names a builtin).`,
          })),
          patterns: [{ regex: `^(${NODE_BUILTINS.join('|')})/`, message: 'Import builtins with the node: prefix.' }],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'Only src/cli exits the process; return a status instead.' },
      ],
    },
  },
  {
    // Entry points end their process: the command line, a child's main module (its own entry point,
    // started by the master), and the test and benchmark drivers.
    files: ['src/cli/**', 'src/worker/main.ts', 'src/worker/scoreboard-reporter.ts', 'test/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // node:test callbacks are often async for one awaited helper or none; that is not a defect there.
    files: ['test/**'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // Plain JavaScript (the sample scripts, bench scripts): no type information.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
);
