/**
 * Import rules checked in CI (`pnpm cycles`): no circular imports, and packages point one way
 * (shared and segmenter import no workspace package; worker imports shared + segmenter; api imports
 * shared; cli imports them all; e2e, the end-to-end tests, may import anything and nothing imports it).
 * Test support lives in `src/testing/`, which production code never imports. A script or binary a
 * test spawns is named with `require.resolve` (see `exoticRequireStrings`), so it counts as an edge.
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
      comment: 'The segmenter has no I/O and no dependencies; its tests and src/testing/ may use its dev dependencies (node: built-ins, fast-check, @kiln/shared/testing).',
      severity: 'error',
      from: { path: '^packages/segmenter/src', pathNot: ['\\.test\\.ts$', '^packages/segmenter/src/testing/'] },
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
    {
      name: 'nothing-imports-e2e',
      comment: 'The end-to-end tests sit on top of every package; no package depends on them.',
      severity: 'error',
      from: { pathNot: '^packages/e2e/' },
      to: { path: '^packages/e2e/' },
    },
    {
      name: 'production-imports-no-testing',
      comment: 'Test support (`src/testing/`, `@kiln/<pkg>/testing`) is for tests and benchmarks only.',
      severity: 'error',
      from: { path: '^packages/[^/]+/(src|bin)/', pathNot: ['\\.test\\.ts$', '^packages/[^/]+/src/testing/', '^packages/e2e/'] },
      to: { path: '^packages/[^/]+/src/testing/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    // `createRequire(import.meta.url).resolve('@kiln/cli/bin/kiln.js')`: what a test spawns.
    exoticRequireStrings: ['require.resolve'],
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'default', 'types'] },
  },
};
