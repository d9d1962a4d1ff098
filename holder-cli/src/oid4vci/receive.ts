import {
  type CredentialOffer,
  type IssuerMetadata,
  isShomeiError,
  type OutboundPolicy,
  PRE_AUTHORIZED_GRANT,
  parseCredentialOfferUri,
  SD_JWT_VC_TYP,
  ShomeiError,
  type SigningKey,
} from '@shomei/shared';
import { UsageError } from '../errors.js';
import { sanitize } from '../ui/text.js';
import type { Wallet } from '../wallet/wallet.js';
import { type CheckedCredential, checkIssuedCredential } from './check-credential.js';
import {
  fetchCredentialOffer,
  fetchIssuerKeys,
  fetchIssuerMetadata,
  fetchTokenEndpoint,
  refreshAccessToken,
  requestCredentials,
  requestNonce,
  requestToken,
} from './issuer-client.js';
import { buildProofJwt } from './proof.js';

/** Vault purpose of the keys credentials are bound to: one new key per credential. */
export const HOLDER_KEY_PURPOSE = 'holder-binding';

export interface TxCodeRequest {
  inputMode: 'numeric' | 'text';
  length?: number | undefined;
  description?: string | undefined;
  issuerName: string;
}

/** Supplies the transaction code when the offer asks for one (flag, environment or prompt). */
export type TxCodeSource = (request: TxCodeRequest) => Promise<string | undefined>;

/** Copies the wallet asks for when the issuer offers batch issuance (each with its own key). */
export const DEFAULT_COPIES = 10;

export interface ReceiveOptions {
  now: () => Date;
  txCode: TxCodeSource;
  /** How many copies to ask for at most (default DEFAULT_COPIES); the issuer's batch_size caps it. */
  copies?: number | undefined;
  /** The wallet's outbound-fetch policy (offers come from QR codes: never loopback unless the setting allows it). */
  policy?: OutboundPolicy | undefined;
}

export interface ReceivedCredential extends CheckedCredential {
  /** The batch id: the id `list`, `show` and `present` use. */
  id: string;
  /** Every copy's own id (one holder key each). */
  copyIds: string[];
  issuerName: string | null;
  configurationId: string;
  receivedAt: string;
}

/** min(batch_size, wanted) when the issuer advertises batch issuance, else one. */
export function copiesToRequest(metadata: IssuerMetadata, wanted: number | undefined): number {
  const batch = metadata.batch_credential_issuance?.batch_size;
  if (batch === undefined) return 1;
  return Math.max(1, Math.min(batch, wanted ?? DEFAULT_COPIES));
}

/**
 * Redeems a credential offer (OpenID4VCI 1.0, pre-authorized code): offer → issuer and
 * authorization server metadata → token → nonce → proof with a new holder key → credential,
 * which is checked and then stored sealed. The holder key and the credential are committed in
 * one transaction, so a failure anywhere leaves the wallet as it was.
 */
export async function receiveCredential(wallet: Wallet, offerUri: string, options: ReceiveOptions): Promise<ReceivedCredential> {
  const parsed = parseCredentialOfferUri(offerUri);
  const offer = 'offer' in parsed ? parsed.offer : await fetchCredentialOffer(parsed.offerUri, options.policy);
  const issuer = offer.credential_issuer;
  const metadata = await fetchIssuerMetadata(issuer, options.policy);
  const configurationId = chooseConfiguration(offer, metadata);
  const configuration = metadata.credential_configurations_supported[configurationId];
  const issuerName = displayName(metadata);
  // Everything that can be checked before the single-use code is spent is checked first.
  const tokenEndpoint = await fetchTokenEndpoint(metadata.authorization_servers?.[0] ?? issuer, options.policy);
  const issuerKeys = await fetchIssuerKeys(issuer, options.policy);

  const grant = offer.grants[PRE_AUTHORIZED_GRANT];
  let txCode: string | undefined;
  if (grant.tx_code) {
    const spec = grant.tx_code;
    const given = await options.txCode({
      inputMode: spec.input_mode,
      length: spec.length,
      description: spec.description === undefined ? undefined : sanitize(spec.description, 300),
      issuerName: issuerName ?? issuer,
    });
    txCode = checkTxCode(given, spec);
  }

  const token = await requestToken(tokenEndpoint, grant['pre-authorized_code'], txCode, options.policy);
  const count = copiesToRequest(metadata, options.copies);

  return wallet.transaction(async () => {
    const stored = await fetchAndStoreCopies(wallet, {
      metadata,
      issuerKeys,
      accessToken: token.accessToken,
      configurationId,
      expectedVct: configuration?.vct,
      issuerName,
      count,
      batchId: undefined,
      now: options.now,
      policy: options.policy,
    });
    const batchId = stored.ids[0] as string;
    wallet.credentials.recordBatch(batchId, { configurationId, batchSize: count, refreshToken: token.refreshToken });
    return { ...stored.checked, id: batchId, copyIds: stored.ids, issuerName, configurationId, receivedAt: stored.receivedAt };
  });
}

interface FetchCopiesInput {
  metadata: IssuerMetadata;
  issuerKeys: Awaited<ReturnType<typeof fetchIssuerKeys>>;
  accessToken: string;
  configurationId: string;
  expectedVct: string | undefined;
  issuerName: string | null;
  count: number;
  /** Adds the copies to this batch; undefined starts a new batch named after the first copy. */
  batchId: string | undefined;
  now: () => Date;
  policy: OutboundPolicy | undefined;
}

/**
 * One new holder key per copy, one proof per key, one credential request; every credential is
 * checked (issuer signature, iss, vct, bound to its own key) before any is stored. Runs inside
 * the caller's transaction.
 */
async function fetchAndStoreCopies(
  wallet: Wallet,
  input: FetchCopiesInput,
): Promise<{ ids: string[]; checked: CheckedCredential; receivedAt: string }> {
  const issuer = input.metadata.credential_issuer;
  const keys: SigningKey[] = [];
  for (let i = 0; i < input.count; i++) keys.push(await wallet.vault.createEs256Key(HOLDER_KEY_PURPOSE));
  const compacts = await obtainCredentials(input.metadata, input.accessToken, input.configurationId, keys, input.now, input.policy);
  const checked = await Promise.all(
    compacts.map((compact, i) =>
      checkIssuedCredential(compact, {
        issuer,
        issuerKeys: input.issuerKeys,
        holderJwk: (keys[i] as SigningKey).publicJwk,
        expectedVct: input.expectedVct,
        now: input.now(),
      }),
    ),
  );
  const receivedAt = input.now().toISOString();
  const ids: string[] = [];
  let batchId = input.batchId;
  for (const [i, c] of checked.entries()) {
    const id = wallet.credentials.insert(
      {
        format: SD_JWT_VC_TYP,
        issuer,
        issuerName: input.issuerName,
        vct: c.vct,
        assuranceLevel: c.assuranceLevel,
        sandbox: c.sandbox,
        holderKid: (keys[i] as SigningKey).kid,
        issuedAt: c.issuedAt,
        expiresAt: c.expiresAt,
        receivedAt,
        batchId,
      },
      compacts[i] as string,
    );
    batchId ??= id;
    ids.push(id);
  }
  return { ids, checked: checked[0] as CheckedCredential, receivedAt };
}

/** Unused copies at or below which the wallet asks the issuer for more. */
export function isLow(unused: number, batchSize: number): boolean {
  return batchSize > 1 && unused <= Math.max(1, Math.floor(batchSize / 4));
}

/**
 * Tops a batch up to its size with new copies, using the refresh token the issuer gave with it.
 * Returns the number of copies added (0 when the batch is not low or cannot be refreshed).
 */
export async function refillBatch(
  wallet: Wallet,
  batchId: string,
  options: { now: () => Date; policy?: OutboundPolicy | undefined },
): Promise<number> {
  const batch = wallet.credentials.batch(batchId);
  const refreshToken = wallet.credentials.refreshToken(batchId);
  if (!batch || !refreshToken || !batch.configurationId || !isLow(batch.unused, batch.batchSize)) return 0;
  const issuer = batch.record.issuer;
  const metadata = await fetchIssuerMetadata(issuer, options.policy);
  const tokenEndpoint = await fetchTokenEndpoint(metadata.authorization_servers?.[0] ?? issuer, options.policy);
  const issuerKeys = await fetchIssuerKeys(issuer, options.policy);
  const token = await refreshAccessToken(tokenEndpoint, refreshToken, options.policy);
  const configurationId = batch.configurationId;
  const count = Math.min(batch.batchSize - batch.unused, copiesToRequest(metadata, batch.batchSize));
  if (count <= 0) return 0;
  return wallet.transaction(async () => {
    const stored = await fetchAndStoreCopies(wallet, {
      metadata,
      issuerKeys,
      accessToken: token.accessToken,
      configurationId,
      expectedVct: metadata.credential_configurations_supported[configurationId]?.vct,
      issuerName: batch.record.issuerName,
      count,
      batchId,
      now: options.now,
      policy: options.policy,
    });
    wallet.credentials.recordBatch(batchId, {
      configurationId,
      batchSize: batch.batchSize,
      refreshToken: token.refreshToken ?? refreshToken,
    });
    return stored.ids.length;
  });
}

/** Nonce, proofs (one per key, same c_nonce), credentials; a rejected nonce is replaced once (OpenID4VCI §8.3.1.2). */
async function obtainCredentials(
  metadata: IssuerMetadata,
  accessToken: string,
  configurationId: string,
  holderKeys: readonly SigningKey[],
  now: () => Date,
  policy: OutboundPolicy | undefined,
): Promise<string[]> {
  const attempt = async () => {
    const nonce = metadata.nonce_endpoint ? await requestNonce(metadata.nonce_endpoint, policy) : undefined;
    const proofs = holderKeys.map((key) => buildProofJwt(key, { audience: metadata.credential_issuer, nonce, now: now() }));
    return requestCredentials(metadata.credential_endpoint, accessToken, configurationId, proofs, policy);
  };
  try {
    return await attempt();
  } catch (e) {
    if (isShomeiError(e, 'invalid_nonce') && metadata.nonce_endpoint) return attempt();
    throw e;
  }
}

/** The first offered configuration that the issuer describes as an SD-JWT VC with JWT key proofs. */
function chooseConfiguration(offer: CredentialOffer, metadata: IssuerMetadata): string {
  for (const id of offer.credential_configuration_ids) {
    const c = metadata.credential_configurations_supported[id];
    if (!c || c.format !== SD_JWT_VC_TYP) continue;
    const algs = c.proof_types_supported?.jwt?.proof_signing_alg_values_supported;
    if (c.proof_types_supported && !algs?.includes('ES256')) continue;
    return id;
  }
  throw new ShomeiError(
    'unknown_credential_configuration',
    'the offer names no credential this wallet can hold (dc+sd-jwt with ES256 proofs)',
  );
}

function displayName(metadata: IssuerMetadata): string | null {
  const name = metadata.display?.find((d) => typeof d.name === 'string' && d.name.length > 0)?.name;
  return name === undefined ? null : sanitize(name, 100);
}

function checkTxCode(given: string | undefined, spec: { input_mode: 'numeric' | 'text'; length?: number | undefined }): string {
  const code = given?.trim();
  if (!code) throw new UsageError('this offer needs a transaction code: pass --tx-code <code> or set SHOMEI_TX_CODE');
  if (spec.input_mode === 'numeric' && !/^[0-9]+$/.test(code)) throw new UsageError('the transaction code must be digits only');
  if (spec.length !== undefined && Array.from(code).length !== spec.length) {
    throw new UsageError(`the transaction code must be ${spec.length} characters long`);
  }
  return code;
}
