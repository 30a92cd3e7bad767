// Lint rules, including the pure-core boundary of STYLE.md B2: files outside the shell (main.ts, kube/,
// observability/, local-cluster/, cli/, *-server.ts, *-worker.ts) may not import I/O modules, nor build
// informers: an informer is a live list-watch (issue 16: managers/manager.ts built one and nothing saw it).
// Only the shared-informer factory builds them, in the shell; pure files may `import type` them.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = [
  'node:net',
  'node:tls',
  'node:http',
  'node:https',
  'node:fs',
  'node:fs/promises',
  'node:child_process',
  'ws',
  'pino',
  'prom-client',
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.cache/**',
      'local-cluster/**',
      'interop/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after'],
            },
          ],
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: [
      'src/main.ts',
      'src/controller.ts',
      'src/kube/**',
      'src/observability/**',
      'src/local-cluster/**',
      'src/cli/**',
      'src/demo/**',
      'src/**/*-server.ts',
      'src/**/*-worker.ts',
      'src/**/*-client.ts',
      'src/**/*.test.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ioModules.map((name) => ({
            name,
            message: 'Pure module: I/O belongs in a shell file (STYLE.md B2).',
          })),
          patterns: [
            {
              group: ['@kubernetes/client-node'],
              allowTypeImports: true,
              message: 'Pure module: import type only (STYLE.md B2).',
            },
            {
              regex: '(^|/)kube(/informer)?/index\\.js$',
              importNames: ['Informer', 'InformerFactory'],
              allowTypeImports: true,
              message:
                'Pure module: an informer is live I/O; take one from the shared-informer factory the composition root hands down, and import its type only (STYLE.md B2).',
            },
            {
              regex:
                '(^|/)informer-(worker|factory)\\.js$|(^|/)kube/informer/(list-pager|watch-stream)\\.js$',
              allowTypeImports: true,
              message: 'Pure module: the informer loop is I/O; import its types only (STYLE.md B2).',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'NewExpression[callee.name=/^(Informer|InformerFactory)$/]',
          message:
            'Pure module: informers are built by the shared-informer factory in the composition root (STYLE.md B2).',
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Pure module: take `now` or a Clock (STYLE.md B2).' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Pure module: no timers (STYLE.md B2).' },
        { name: 'setInterval', message: 'Pure module: no timers (STYLE.md B2).' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
