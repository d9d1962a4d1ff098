export { ConfigError, DEFAULT_DATA_DIR, ENV, resolveServeConfig, type ServeConfig, type ServeFlags } from './config.js';
export { type IssuerDeps, type Logger, normalizeBaseUrl, type OpenIssuerOptions, openIssuerDeps, type SandboxConfig } from './deps.js';
export { createIssuerApp, MAX_BODY_BYTES } from './http/app.js';
export { type IssuerKeys, loadIssuerKeys, publishedJwk, SIGNING_KEY_PURPOSE } from './keys.js';
export { type AccessGrant, type CredentialResponse, issueCredential, requireAccessToken } from './oid4vci/credential.js';
export { IDENTITY_SCOPE, issuerMetadata } from './oid4vci/metadata.js';
export { type CreatedOffer, createOffer, type NewOfferInput } from './oid4vci/offers.js';
export { type ProofExpectations, type VerifiedProof, verifyProofJwt } from './oid4vci/proof.js';
export { createSandboxOffer, type SandboxOfferResponse } from './sandbox/offers.js';
export { DEFAULT_HOST, DEFAULT_PORT, type IssuerServerConfig, type RunningIssuer, startIssuer } from './server.js';
export { DEFAULT_SETTINGS, type IssuerSettings } from './settings.js';
export { setCredentialStatus } from './status/set-status.js';
export { STATUS_LIST_ID, StatusLists } from './status/status-lists.js';
export {
  type CredentialRow,
  type CredentialStatus,
  findCredential,
  findCredentialByStatusIndex,
  findCredentialsByOffer,
} from './store/credentials.js';
export { issuerMigrations } from './store/migrations.js';
