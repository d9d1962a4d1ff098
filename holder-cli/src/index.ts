export {
  type GlobalOptions,
  initCommand,
  listCommand,
  type PresentCommandOptions,
  presentCommand,
  type ReceiveCommandOptions,
  readPassphrase,
  receiveCommand,
  showCommand,
} from './commands/index.js';
export { type ClaimLeaf, type ClaimPath, disclosedView, leaves, type OpenedCredential, openCredential } from './credential/claims.js';
export { CancelledError, EXIT, UsageError } from './errors.js';
export { type CheckedCredential, checkIssuedCredential } from './oid4vci/check-credential.js';
export {
  HOLDER_KEY_PURPOSE,
  type ReceivedCredential,
  type ReceiveOptions,
  receiveCredential,
  type TxCodeRequest,
  type TxCodeSource,
} from './oid4vci/receive.js';
export {
  declinePresentation,
  type PresentationProposal,
  preparePresentation,
  sharePresentation,
  type VerifierAnswer,
} from './oid4vp/present.js';
export { fetchRequestObject, loadPresentationRequest, type VerifiedRequest, verifyRequestObject } from './oid4vp/request.js';
export { type DisclosurePlan, planDisclosure, type RequestedClaim, requestedClaims, selectCredential } from './oid4vp/select.js';
export { runCli } from './program.js';
export type { CliContext, OutputStream, Prompter } from './ui/io.js';
export { type CredentialRecord, CredentialRepository } from './wallet/credential-repository.js';
export { resolveHome, WALLET_FILE, walletFile } from './wallet/location.js';
export { walletMigrations } from './wallet/migrations.js';
export { assertWalletExists, initWallet, openWallet, Wallet, walletExists } from './wallet/wallet.js';
