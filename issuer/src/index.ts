export {
  ADMIN_SCOPES,
  type AdminScope,
  authenticateAdmin,
  type CreatedAdminToken,
  createAdminToken,
} from './admin/tokens.js';
export { type AuditEntry, type AuditEvent, type AuditVerification, appendAudit, exportAudit, verifyAudit } from './audit/audit-log.js';
export { type BatchMode, type BatchOptions, type BatchSummary, runBatch } from './batch/engine.js';
export { ConfigError, DEFAULT_DATA_DIR, ENV, resolveServeConfig, type ServeConfig, type ServeFlags } from './config.js';
export { issuerPostgresMigrations, openIssuerDatabase } from './database.js';
export { type IssuerDeps, type Logger, normalizeBaseUrl, type OpenIssuerOptions, openIssuerDeps, type SandboxConfig } from './deps.js';
export { createIssuerApp } from './http/app.js';
export { MAX_BODY_BYTES } from './http/limits.js';
export { type CreatedOffer, createOffer, type NewOfferInput } from './issuance/offers.js';
export { type IssuerKeys, loadIssuerKeys, publishedJwk, SIGNING_KEY_PURPOSE } from './keys.js';
export { type CrlRecheckResult, recheckCrls } from './lifecycle/crl-recheck.js';
export { type AccessGrant, type CredentialResponse, issueCredential, requireAccessToken } from './oid4vci/credential.js';
export { IDENTITY_SCOPE, issuerMetadata } from './oid4vci/metadata.js';
export { type ProofExpectations, type VerifiedProof, verifyProofJwt } from './oid4vci/proof.js';
export { loadJpkiTrust, loadUpstreams, type ProofingConfig, type Upstream } from './proofing/config.js';
export { JPKI_OIDS, type JpkiAttributes, mapJpkiAttributes, readJpkiAttributes } from './proofing/jpki/attributes.js';
export { CrlStore } from './proofing/jpki/crl-store.js';
export { createCrl, createTestCa, issueApplicantCertificate } from './proofing/jpki/test-ca.js';
export { type JpkiTrust, type VerifiedJpki, verifyJpkiSubmission } from './proofing/jpki/verify.js';
export { KYC_ASSERTION_TYP, verifyRelianceAssertion } from './proofing/reliance.js';
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
