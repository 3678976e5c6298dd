// Lint: the recommended JavaScript and TypeScript rules, plus the line width the formatter keeps.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'reports/', 'connectors/*/target/', 'dist/', '.stryker-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      // Prettier wraps code at 120; strings and comments it leaves alone are held to the same width here.
      'max-len': ['error', { code: 120, ignoreUrls: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  // The report page's scripts run in the browser, beside the uPlot bundle they are served with.
  { files: ['harness/report/assets/*.js'], languageOptions: { globals: { ...globals.browser, uPlot: 'readonly' } } },
);
