// Test support only (`@shomei/shared/testing`): one copy of what the packages' tests share. Not built
// into dist; vitest and the test type-check read it from source.
export { SAMPLE_IDENTITY } from '../identity/sample.js';
export { CHROMIUM, cspViolations, launchChromium } from './browser.js';
export { issueTestIdentityCredential, type TestCredentialOptions, type TestSigner } from './credentials.js';
export { asyncCodeOf, codeOf } from './error-code.js';
export * from './fuzz.js';
export { type LoopbackServer, serveOnLoopback } from './loopback-server.js';
export { samplePerson, TARO } from './person.js';
export { createTestDatabase, TEST_POSTGRES_ENV, type TwoHandleBackend, twoHandleBackends } from './postgres.js';
export { type NodeRun, runNode } from './run-node.js';
