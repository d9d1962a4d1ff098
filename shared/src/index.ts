export { ALL_JWS_ALGS, algForKey, isJwsAlg, type JwsAlg, type ParsedJws, parseJws, signJws, verifyJwsSignature } from './crypto/jws.js';
export {
  exportPrivateJwk,
  exportPublicJwk,
  generateEs256KeyPair,
  importPublicJwk,
  jwkThumbprint,
  type KeyPair,
  type PrivateJwk,
  type PublicJwk,
  p256PrivateJwkFromHex,
  privateKeyFromJwk,
  publicKeyFromJwk,
} from './crypto/keys.js';
export { buildDidDocument, type DidDocument, didWebDocumentUrl, didWebForOrigin, resolveDidWeb } from './did/web.js';
export { b64u, b64uDecode, b64uJson } from './encoding.js';
export { ERROR_CODES, type ErrorCode, isShomeiError, ShomeiError } from './errors.js';
export { Backoff, type BackoffOptions } from './http/backoff.js';
export { type FetchOptions, type FetchResult, httpFetch } from './http/fetch.js';
export { type AddressClass, classifyAddress } from './http/lib/address-class.js';
export {
  ALLOW_PRIVATE_NETWORK_ENV,
  defaultOutboundPolicy,
  OUTBOUND_PORTS_ENV,
  OutboundPolicy,
  type OutboundPolicyOptions,
  outboundPolicyFromEnv,
  type VettedTarget,
} from './http/outbound-policy.js';
export { SERVER_LIMITS, serverLimits } from './http/server-limits.js';
export { type ClaimLabel, claimLabel, IDENTITY_CLAIM_LABELS } from './identity/labels.js';
export {
  AGE_THRESHOLDS,
  ASSURANCE_LEVELS,
  type AssuranceLevel,
  ageOn,
  DISCLOSABLE_PATHS,
  type Evidence,
  formatAddress,
  IDENTITY_VCT,
  type IdentityRecord,
  identityClaims,
  identityRecordSchema,
  KANA_FAMILY,
  KANA_GIVEN,
} from './identity/schema.js';
export { jobLeases } from './jobs/job-leases.js';
export { type Job, type ScheduledJobs, type ScheduleOptions, scheduleJobs } from './jobs/scheduler.js';
export { type ExportedKey, KeyVault, type RekeyOptions, type Reseal, type SigningKey } from './keys/key-vault.js';
export { DEFAULT_KDF, type KdfParams, newKdfParams, SecretBox } from './keys/secret-box.js';
export { keyStoreMigrations, SqlVaultStorage, vaultPostgresMigrations } from './keys/sql-vault-storage.js';
export { loadVaultSecret, type VaultSecret, type VaultSecretSource } from './keys/vault-secret.js';
export type { SealedPrivateKey, StoredDid, StoredKey, VaultStorage } from './keys/vault-storage.js';
export * from './protocol/oid4vci.js';
export * from './protocol/oid4vp.js';
export { nodeSigner, saltGenerator, sdHasher, sha256Hasher } from './sd-jwt-vc/capabilities.js';
export { type DecodedSdJwt, type Disclosure, decodeSdJwt, disclosureDigest, reconstructClaims } from './sd-jwt-vc/decode.js';
export { DEFAULT_SD_ALG, isSdAlg, SD_ALGS, type SdAlg, sdAlgOf, sdDigest } from './sd-jwt-vc/digest.js';
export { issueSdJwtVcFast } from './sd-jwt-vc/fast-issue.js';
export { type IssueSdJwtVcInput, issueSdJwtVc, LEGACY_SD_JWT_VC_TYP, SD_JWT_VC_TYP } from './sd-jwt-vc/issue.js';
export { type KeyBindingInput, presentSdJwtVc } from './sd-jwt-vc/present.js';
export { type VerifiedSdJwtVc, type VerifySdJwtVcOptions, verifySdJwtVc } from './sd-jwt-vc/verify.js';
export * from './sql/index.js';
export {
  MAX_STATUS_LIST_BYTES,
  STATUS,
  STATUS_LIST_TYP,
  type StatusBits,
  StatusList,
  type StatusValue,
  signStatusListToken,
} from './status-list/status-list.js';
export { type Db, type Migration, migrate, openDatabase } from './store/db.js';
export { describeStorageFailure, type StorageFailure, type StorageFailureKind, storageFailure } from './store/storage-errors.js';
export { sanitize } from './terminal-text.js';
export { parseWith } from './validation.js';
