export {
  exportCommand,
  type GlobalOptions,
  historyCommand,
  importCommand,
  initCommand,
  listCommand,
  type PresentCommandOptions,
  passphraseChangeCommand,
  presentCommand,
  type ReceiveCommandOptions,
  readPassphrase,
  receiveCommand,
  showCommand,
} from './commands/index.js';
export { type ClaimLeaf, type ClaimPath, disclosedView, leaves, type OpenedCredential, openCredential } from './credential/claims.js';
export { type LiveStatus, NEAR_EXPIRY_DAYS, StatusChecker, type StatusReport } from './credential/status.js';
export { CancelledError, EXIT, hintFor, UsageError } from './errors.js';
export { type CheckedCredential, checkIssuedCredential } from './oid4vci/check-credential.js';
export {
  copiesToRequest,
  DEFAULT_COPIES,
  HOLDER_KEY_PURPOSE,
  isLow,
  type ReceivedCredential,
  type ReceiveOptions,
  receiveCredential,
  refillBatch,
  type TxCodeRequest,
  type TxCodeSource,
} from './oid4vci/receive.js';
export {
  type Candidate,
  type ClaimChoice,
  chooseCopy,
  declinePresentation,
  type PresentationProposal,
  preparePresentation,
  proposeCandidate,
  sharePresentation,
  type VerifierAnswer,
  withChoices,
} from './oid4vp/present.js';
export {
  fetchRequestObject,
  type LoadRequestOptions,
  loadPresentationRequest,
  parseRequestInput,
  type ReceivedRequest,
  type VerifiedRequest,
  verifyAuthorizationRequest,
  verifyRequestObject,
} from './oid4vp/request.js';
export {
  type DisclosurePlan,
  matchCredentials,
  type PlannedClaim,
  planDisclosure,
  type RequestedClaim,
  requestedClaims,
  selectCredential,
} from './oid4vp/select.js';
export { loadVerifierRoots, VERIFIER_ROOTS_FILE } from './oid4vp/trust-roots.js';
export type { CertificateIdentity, ClientIdPrefix, VerifierIdentity } from './oid4vp/verifier-identity.js';
export { runCli } from './program.js';
export type { CliContext, OutputStream, Prompter } from './ui/io.js';
export { BACKUP_FORMAT, exportBackup, type ImportSummary, importBackup, openBackup } from './wallet/backup.js';
export { type CredentialBatch, type CredentialRecord, CredentialRepository } from './wallet/credential-repository.js';
export { type HistoryEntry, HistoryRepository, type PresentationOutcome } from './wallet/history-repository.js';
export { resolveHome, WALLET_FILE, walletFile } from './wallet/location.js';
export { walletMigrations } from './wallet/migrations.js';
export { changePassphrase } from './wallet/rekey.js';
export { assertWalletExists, initWallet, openWallet, WALLET_MIGRATIONS, Wallet, walletExists } from './wallet/wallet.js';
