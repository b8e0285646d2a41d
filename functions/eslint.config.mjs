// ESLint (flat config): the recommended rules of ESLint and typescript-eslint. Formatting is Prettier's (.prettierrc.json).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['lib/**', 'coverage/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // The entry point loads handlers lazily with require() (cold start: docs/architecture.md).
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests throw their own assertion failures from catch blocks: those are new errors, not wrapped ones.
    files: ['test/**/*.ts', 'rules-test/**/*.ts'],
    // Tests also look for control characters on purpose (escaping tests).
    rules: { 'preserve-caught-error': 'off', 'no-control-regex': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly' } },
  },
);
