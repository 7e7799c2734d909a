import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // *.as.ts is AssemblyScript (the metrics scan kernel), compiled by `npm run build:kernel`, not by tsc.
  { ignores: ['dist/', 'node_modules/', '.tools/', 'DataCollection/', '.stack-logs/', '**/*.as.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-console': 'off',
    },
  },
  {
    // The gallery's plain ES modules run in the browser.
    files: ['functions/gallery/assets/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
);
