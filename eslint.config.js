// Lint: typescript-eslint's recommended rules (no type-aware rules, so lint stays cheap on 2 cores),
// React hooks rules for the renderer, and the architecture's import boundaries as errors.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**', 'out/**', 'dist/**', 'release/**', 'test-results/**', 'playwright-report/**',
      'coverage/**', 'tools/**', '.cache/**', 'bench-results/**', 'models/**',
    ],
  },
  // Stale disable comments are noise, not defects; they must not fail `--max-warnings=0`.
  { linterOptions: { reportUnusedDisableDirectives: 'off' } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    // Unit tests of the renderer's pure algorithms run in Node and may read fixtures with Node APIs.
    ignores: ['src-renderer/**/*.test.{ts,tsx}', 'src-renderer/scripts/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      // The renderer never touches files or ONNX: everything goes through the typed API.
      'no-restricted-imports': ['error', { patterns: ['node:*', 'electron', 'onnxruntime-node', 'better-sqlite3', 'sharp', '**/src-main/**'] }],
    },
  },
  {
    // The pipeline is plain TypeScript shared by the worker, the CLI and bench: no Electron, no React.
    files: ['src-main/pipeline/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['electron', 'react', 'react-dom'] }] },
  },
  {
    // Tests poke at untyped JSON replies and error objects; `any` there is a convenience, not a hole.
    files: ['**/*.test.ts', '**/*.test.tsx', 'test/**/*.ts', 'e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
