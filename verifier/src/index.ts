export { type Problem, problemFor } from '@shomei/shared/http-server';
export {
  anchorInfo,
  anchorStatusListToken,
  type IssuedAccreditation,
  initAnchor,
  issueAccreditation,
  listAccreditations,
  revokeAccreditation,
} from './accreditation/anchor.js';
export { ACCREDITATION_TYPE, type Accreditation, jwkOfDidJwk, verifyAccreditation } from './accreditation/credential.js';
export { ACCREDITATIONS_PATH, AccreditationRegistry } from './accreditation/registry.js';
export { API_KEY_PREFIX, authenticateClient, createClient, hashApiKey, newApiKey } from './clients/api-keys.js';
export type { VerifierContext } from './context.js';
export { buildEvidence, disclosedNames, EvidenceWriter } from './evidence/evidence.js';
export { type AppDeps, createApp } from './http/app.js';
export { identityFor, loadVerifierIdentity, REQUEST_SIGNING_PURPOSE, type VerifierIdentity } from './keys.js';
export { consoleLogger, type Logger, silentLogger } from './log.js';
export { type MatchRecord, matchPaths, matchRecord, matchRecordSchema } from './matching/match.js';
export * from './matching/normalize.js';
export { CREDENTIAL_QUERY_ID, dcqlQueryFor, PRESET_NAMES, PRESETS, type PresetName } from './oid4vp/presets.js';
export {
  type CreatedPresentationRequest,
  type PresentationRequestView,
  type PublicRequestStatus,
  SELF_ISSUED_AUDIENCE,
} from './oid4vp/requests.js';
export { type CreateRequestInput, createRequestInputSchema } from './oid4vp/z-requests.js';
export type { Sealer } from './sealer.js';
export { DATABASE_FILE, type RunningVerifier, type ServeOptions, startVerifier } from './serve.js';
export { type StatelessVerifyInput, statelessVerifyInputSchema, verifyStateless } from './stateless/verify-stateless.js';
export {
  StatusListCache,
  type StatusListCacheOptions,
  type StatusListLookup,
  type VerifiedStatusList,
  verifyStatusListToken,
} from './status/status-list-cache.js';
export { allVerifierMigrations, verifierMigrations, verifierPostgresMigrations } from './store/migrations.js';
export { openSqliteVerifierStore, openVerifierStore, verifierStoreOn } from './store/sql-store.js';
export type {
  ClientRow,
  ClientStore,
  PresentationRequestRow,
  PresentationRequestStore,
  StoredRequestStatus,
  VerifierStore,
} from './store/types.js';
export { DEFAULT_ALGS } from './trust/algorithms.js';
export { TrustService, type VerifySettings } from './trust/trust-service.js';
export {
  type IssuerKeyResolver,
  type IssuerPolicy,
  type IssuerPolicySource,
  jwtVcIssuerMetadataUrl,
  TrustStore,
  type TrustStoreConfig,
  type TrustStoreOptions,
} from './trust/trust-store.js';
export {
  loadTrustConfig,
  parseTrustConfig,
  type TrustAnchorConfig,
  type TrustConfig,
  type TrustedIssuerConfig,
  trustConfigSchema,
} from './trust/z-trust-config.js';
export { prefetchForPresentation } from './verify/prefetch.js';
export { runVerification, type VerificationRequest, type VerificationRun } from './verify/run-verification.js';
export type { VerificationSources } from './verify/sources.js';
export {
  assuranceRank,
  type CredentialStatus,
  type VerificationError,
  type VerificationResult,
  type VerificationWarning,
  type VerifyPresentationOptions,
  verifyPresentation,
  type WarningCode,
} from './verify/verify-presentation.js';
export {
  checkWebhookUrl,
  newWebhookSecret,
  signWebhook,
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookEvent,
  WebhookSender,
} from './webhooks/webhooks.js';
