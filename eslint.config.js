// ESLint's flat config for the web UI (web/static/assets/js: ES modules
// run by the browser as they are, no build step), its unit tests
// (web/jstest, run by node --test) and this file. `make test` runs it.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/', 'bin/', 'cmd/triage/testdata/'] },
  js.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-implicit-globals': 'error',
      'no-shadow': 'error',
      'no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', caughtErrors: 'all', caughtErrorsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error',
        { property: 'innerHTML', message: 'Build the DOM with h() and textContent; only setHTML in dom.js inserts HTML, and only HTML the API sanitised.' },
        { property: 'outerHTML', message: 'Build the DOM with h() and textContent.' }],
      'no-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    files: ['web/static/assets/js/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    // The help centre's scripts are classic scripts, not modules: the
    // widget runs on the company's own pages and both run in old in-app
    // browsers (WeChat's among them), so they keep to ES5's var.
    files: ['helpcentre/assets/**/*.js'],
    languageOptions: { sourceType: 'script', globals: globals.browser },
    rules: { 'no-var': 'off' },
  },
  {
    files: ['web/jstest/**/*.js', 'eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
];
