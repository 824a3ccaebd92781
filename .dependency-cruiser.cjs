/**
 * Nightshift's layer rules (docs/architecture.md, "Layers and the dependency rule"):
 *
 *   cli, server → runtime → pipeline → {domain, ports};  adapters → {ports, domain, adapters/shared}
 *   adapters/shared → {ports, domain}  (helpers several adapters need: process groups, atomic writes)
 *
 * Run with `npm run check:layers` (depcruise src --config .dependency-cruiser.cjs).
 * Type-only imports count: a type is a dependency too. Test files (`*.test.ts`) may
 * reach into `src/testing` and adapters, and use Node built-ins and test libraries.
 * `src/layer-rules.test.ts` proves that each rule passes on the tree and catches a
 * deliberate violation.
 */

const TEST_FILE = '\\.test\\.ts$';

/** Node built-ins that do I/O or start processes; the pipeline reaches them only through ports. */
const INPUT_OUTPUT_BUILTINS = [
  'fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'http2', 'dgram', 'dns', 'dns/promises', 'tls',
  'cluster', 'worker_threads', 'readline', 'os', 'process', 'v8', 'vm', 'inspector', 'repl', 'tty',
];
const INPUT_OUTPUT_BUILTIN_PATH = `^(node:)?(${INPUT_OUTPUT_BUILTINS.map((name) => name.replace('/', '\\/')).join('|')})$`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Cycles make layers meaningless and modules impossible to load or test alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that cannot be resolved is a typo or a missing dependency.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'src/domain is pure: it imports only src/domain and the packages zod, yaml and picomatch. No Node built-ins, no ports, no other packages. Pass time, ids and effects in.',
      from: { path: '^src/domain/', pathNot: TEST_FILE },
      to: { pathNot: ['^src/domain/', '^node_modules/(zod|yaml|picomatch|@types/picomatch)/'] },
    },
    {
      name: 'ports-only-domain',
      severity: 'error',
      comment: 'src/ports are the interfaces the core owns: they speak only in domain and port types.',
      from: { path: '^src/ports/', pathNot: TEST_FILE },
      to: { pathNot: '^src/(domain|ports)/' },
    },
    {
      name: 'pipeline-not-to-outer-layers',
      severity: 'error',
      comment: 'The use cases in src/pipeline import domain, ports and pipeline only: never adapters, config, runtime, cli, server or testing.',
      from: { path: '^src/pipeline/', pathNot: TEST_FILE },
      to: { path: '^src/', pathNot: '^src/(domain|ports|pipeline)/' },
    },
    {
      name: 'pipeline-no-input-output',
      severity: 'error',
      comment: 'src/pipeline does no I/O itself (files, processes, network): it goes through a port.',
      from: { path: '^src/pipeline/', pathNot: TEST_FILE },
      to: { dependencyTypes: ['core'], path: INPUT_OUTPUT_BUILTIN_PATH },
    },
    {
      name: 'adapter-not-to-other-adapter',
      severity: 'error',
      comment:
        'src/adapters/<port>/<vendor> never imports another adapter folder, only src/adapters/shared: other shared needs belong in a port or the domain.',
      from: { path: '^src/adapters/([^/]+)/([^/]+)/', pathNot: ['^src/adapters/shared/', TEST_FILE] },
      to: { path: '^src/adapters/', pathNot: ['^src/adapters/$1/$2/', '^src/adapters/shared/'] },
    },
    {
      name: 'adapter-not-to-core-or-outer-layers',
      severity: 'error',
      comment: 'Adapters import ports and domain only (and src/adapters/shared): never pipeline, runtime, cli, server, config or testing.',
      from: { path: '^src/adapters/', pathNot: ['^src/adapters/shared/', TEST_FILE] },
      to: { path: '^src/(pipeline|runtime|cli|server|config|testing)/' },
    },
    {
      name: 'adapters-shared-only-ports-and-domain',
      severity: 'error',
      comment:
        'src/adapters/shared holds helpers any adapter may use (process groups, atomic writes); it imports only ports, domain, itself, Node built-ins and packages: never an adapter folder, pipeline, runtime, cli, server, config or testing.',
      from: { path: '^src/adapters/shared/', pathNot: TEST_FILE },
      to: { path: '^src/', pathNot: '^src/(domain|ports|adapters/shared)/' },
    },
    {
      name: 'only-runtime-picks-adapters',
      severity: 'error',
      comment: 'Only src/runtime (the registries) and src/cli choose adapters; tests and contract suites may use them too.',
      from: { path: '^src/', pathNot: ['^src/(runtime|cli|adapters|testing)/', TEST_FILE] },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'testing-not-in-production',
      severity: 'error',
      comment: 'src/testing (contract suites, builders, the scripted model server) is for tests; production code reaches it only from src/cli (the model-server command) and src/runtime.',
      from: { path: '^src/', pathNot: ['^src/(testing|cli|runtime)/', TEST_FILE] },
      to: { path: '^src/testing/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    cache: false,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
