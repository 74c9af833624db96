/**
 * Transform with swc (fast, no type-check); `npm test` type-checks with tsc first.
 *
 * Three projects, run together by `jest` and one at a time by `npm run test:<name>`:
 * - unit: the pure core, config and robots on fakes; no database, no browser, no child process.
 * - integration: the HTTP API on SQLite and Postgres, the CLI, channels against loopback peers,
 *   the docs' examples.
 * - browser: the web pages in Chromium.
 */
const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
};

/** Probes Postgres once per run (jest runs a setup shared by projects once) and decides whether its half runs. */
const globalSetup = '<rootDir>/test/support/global-setup.ts';

module.exports = {
  // A setting of the whole run: jest reads testTimeout from here, not from a project.
  testTimeout: 30000,
  // Jest's default on 2 cores is one worker, but most suites wait on Postgres, SQLite's fsync, child
  // processes or Chromium rather than compute: two workers take the integration project from
  // ~385 s to ~240 s on the 2-core CI machine.
  maxWorkers: 2,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/test/{integration,channels,cli,docs}/**/*.test.ts'], globalSetup },
    { ...shared, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'], globalSetup },
  ],
};
