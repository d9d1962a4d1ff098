export { API_KEY_PREFIX, authenticateClient, createClient, hashApiKey, newApiKey } from './clients/api-keys.js';
export { type AppDeps, createApp } from './http/app.js';
export { type Problem, problemFor } from './http/problem.js';
export { identityFor, loadVerifierIdentity, REQUEST_SIGNING_PURPOSE, type VerifierIdentity } from './keys.js';
export { consoleLogger, type Logger, silentLogger } from './log.js';
export type { Oid4vpContext, Sealer } from './oid4vp/context.js';
export { prefetchForPresentation } from './oid4vp/prefetch.js';
export { CREDENTIAL_QUERY_ID, dcqlQueryFor, PRESET_NAMES, PRESETS, type PresetName } from './oid4vp/presets.js';
export {
  type CreatedPresentationRequest,
  type PresentationRequestView,
  type PublicRequestStatus,
  SELF_ISSUED_AUDIENCE,
} from './oid4vp/requests.js';
export { type CreateRequestInput, createRequestInputSchema } from './oid4vp/z-requests.js';
export { DATABASE_FILE, type RunningVerifier, type ServeOptions, startVerifier } from './serve.js';
export {
  StatusListCache,
  type StatusListCacheOptions,
  type StatusListLookup,
  type VerifiedStatusList,
  verifyStatusListToken,
} from './status/status-list-cache.js';
export { allVerifierMigrations, verifierMigrations } from './store/migrations.js';
export { openSqliteVerifierStore } from './store/sqlite.js';
export type {
  ClientRow,
  ClientStore,
  PresentationRequestRow,
  PresentationRequestStore,
  StoredRequestStatus,
  VerifierStore,
} from './store/types.js';
export {
  type IssuerKeyResolver,
  jwtVcIssuerMetadataUrl,
  TrustStore,
  type TrustStoreConfig,
  type TrustStoreOptions,
} from './trust/trust-store.js';
export {
  loadTrustConfig,
  parseTrustConfig,
  type TrustConfig,
  type TrustedIssuerConfig,
  trustConfigSchema,
} from './trust/z-trust-config.js';
export {
  type CredentialStatus,
  type VerificationError,
  type VerificationResult,
  type VerifyPresentationOptions,
  verifyPresentation,
} from './verify/verify-presentation.js';
