// One config, three tiers told apart by file name: *.spec.ts (pure), *.int-spec.ts
// (real Postgres/Redis), test/*.e2e-spec.ts (HTTP). All run in `npm test`.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const libs = [
  'domain',
  'config',
  'database',
  'queue',
  'testing',
  'auth',
  'audit',
  'clinic',
  'patients',
  'scheduling',
  'health',
  'reminders',
  'follow-ups',
];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testRegex: '(\\.spec|\\.int-spec|\\.e2e-spec)\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.local/'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // Pure-ESM packages (NestJS 12 and a few of its dependencies) are compiled to CJS for jest.
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|@fastify|content-disposition|cookie|set-cookie-parser|toad-cache|file-type|strtok3|token-types|uint8array-extras|@tokenizer|@borewit|fast-copy|uuid)/)',
  ],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: Object.fromEntries(libs.map((l) => [`^@app/${l}$`, `<rootDir>/libs/${l}/src`])),
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
  testTimeout: 60000,
};
