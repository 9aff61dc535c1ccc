/**
 * Import rules checked in CI (`pnpm cycles`): no circular imports, and packages point one way
 * (shared and segmenter import no workspace package; worker imports shared + segmenter; api imports shared).
 */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'no-unresolvable',
      comment: 'An import that does not resolve (a package that is not a declared dependency, a typo).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-undeclared-dependency',
      comment: "Packages import only what their own package.json declares (pnpm's hoisting must not hide it).",
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'segmenter-is-standalone',
      comment: 'The segmenter has no I/O and no dependencies (tests may use node: built-ins).',
      severity: 'error',
      from: { path: '^packages/segmenter/src', pathNot: '\\.test\\.ts$' },
      to: { pathNot: '^packages/segmenter/src' },
    },
    {
      name: 'shared-imports-no-workspace-package',
      severity: 'error',
      from: { path: '^packages/shared/' },
      to: { path: '^packages/(segmenter|worker|api|cli)/' },
    },
    {
      name: 'worker-imports-shared-and-segmenter-only',
      severity: 'error',
      from: { path: '^packages/worker/' },
      to: { path: '^packages/(api|cli)/' },
    },
    {
      name: 'api-imports-shared-only',
      severity: 'error',
      from: { path: '^packages/api/' },
      to: { path: '^packages/(segmenter|worker|cli)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'default', 'types'] },
  },
};
