import {
  type CredentialOffer,
  type IssuerMetadata,
  isShomeiError,
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
  requestCredential,
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

export interface ReceiveOptions {
  now: () => Date;
  txCode: TxCodeSource;
}

export interface ReceivedCredential extends CheckedCredential {
  id: string;
  issuerName: string | null;
  configurationId: string;
  receivedAt: string;
}

/**
 * Redeems a credential offer (OpenID4VCI 1.0, pre-authorized code): offer → issuer and
 * authorization server metadata → token → nonce → proof with a new holder key → credential,
 * which is checked and then stored sealed. The holder key and the credential are committed in
 * one transaction, so a failure anywhere leaves the wallet as it was.
 */
export async function receiveCredential(wallet: Wallet, offerUri: string, options: ReceiveOptions): Promise<ReceivedCredential> {
  const parsed = parseCredentialOfferUri(offerUri);
  const offer = 'offer' in parsed ? parsed.offer : await fetchCredentialOffer(parsed.offerUri);
  const issuer = offer.credential_issuer;
  const metadata = await fetchIssuerMetadata(issuer);
  const configurationId = chooseConfiguration(offer, metadata);
  const configuration = metadata.credential_configurations_supported[configurationId];
  const issuerName = displayName(metadata);
  // Everything that can be checked before the single-use code is spent is checked first.
  const tokenEndpoint = await fetchTokenEndpoint(metadata.authorization_servers?.[0] ?? issuer);
  const issuerKeys = await fetchIssuerKeys(issuer);

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

  const accessToken = await requestToken(tokenEndpoint, grant['pre-authorized_code'], txCode);

  return wallet.transaction(async () => {
    const holderKey = await wallet.vault.createEs256Key(HOLDER_KEY_PURPOSE);
    const compact = await obtainCredential(metadata, accessToken, configurationId, holderKey, options.now);
    const checked = checkIssuedCredential(compact, {
      issuer,
      issuerKeys,
      holderJwk: holderKey.publicJwk,
      expectedVct: configuration?.vct,
      now: options.now(),
    });
    const receivedAt = options.now().toISOString();
    const id = wallet.credentials.insert(
      {
        format: SD_JWT_VC_TYP,
        issuer,
        issuerName,
        vct: checked.vct,
        assuranceLevel: checked.assuranceLevel,
        sandbox: checked.sandbox,
        holderKid: holderKey.kid,
        issuedAt: checked.issuedAt,
        expiresAt: checked.expiresAt,
        receivedAt,
      },
      compact,
    );
    return { ...checked, id, issuerName, configurationId, receivedAt };
  });
}

/** Nonce, proof, credential; a nonce the issuer no longer accepts is replaced once (OpenID4VCI §8.3.1.2). */
async function obtainCredential(
  metadata: IssuerMetadata,
  accessToken: string,
  configurationId: string,
  holderKey: SigningKey,
  now: () => Date,
): Promise<string> {
  const attempt = async () => {
    const nonce = metadata.nonce_endpoint ? await requestNonce(metadata.nonce_endpoint) : undefined;
    const proof = buildProofJwt(holderKey, { audience: metadata.credential_issuer, nonce, now: now() });
    return requestCredential(metadata.credential_endpoint, accessToken, configurationId, proof);
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
