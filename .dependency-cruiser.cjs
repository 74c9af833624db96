/**
 * Import cycles, type-only imports counted (`npm run lint:cycles`). ESLint's import-x/no-cycle
 * skips `import type` by design; here a type that travels in a circle is a cycle too, because
 * the modules on it cannot be understood, moved or split one at a time. The layer rules are
 * ESLint's (eslint.config.mjs).
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A module reaches itself through its imports (type-only imports included).',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|data|test/artifacts)/' },
  },
};
