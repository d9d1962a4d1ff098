import { randomUUID } from 'node:crypto';
import { type IdentityRecord, identityRecordSchema, issueSdJwtVc, jwkThumbprint, parseWith, ShomeiError } from '@shomei/shared';
import type { IssuerDeps } from '../deps.js';
import { identityCredentialInput, type ProofingFacts } from '../issuance/identity-credential.js';
import { sha256 } from '../lib/secrets.js';
import { StatusIndexAllocator } from '../status/allocator.js';
import { STATUS_LIST_ID } from '../status/status-lists.js';
import { insertCredential } from '../store/credentials.js';
import { consumeNonce } from '../store/nonces.js';
import { findOffer, type OfferRow } from '../store/offers.js';
import { findUsableAccessToken, useAccessToken } from '../store/tokens.js';
import { createNonce } from './nonce.js';
import { type VerifiedProof, verifyProofJwt } from './proof.js';
import { credentialResponseFor, isTolerance, parseCredentialRequest } from './request-shape.js';

/**
 * The credential response: `{credentials: [{credential}]}` for OpenID4VCI 1.0 and draft-15
 * requests, the draft-13/14 shapes for theirs (see RequestShape in request-shape.ts).
 */
export type CredentialResponse = Record<string, unknown>;

/** A checked, still unspent access token. */
export interface AccessGrant {
  tokenHash: string;
  offerId: string;
}

/** Checks a bearer access token before anything else is looked at (401 invalid_token otherwise). */
export async function requireAccessToken(deps: IssuerDeps, accessToken: string | undefined): Promise<AccessGrant> {
  if (!accessToken) throw new ShomeiError('invalid_token', 'an access token is required');
  const tokenHash = sha256(accessToken);
  const row = await findUsableAccessToken(deps.sql, tokenHash, deps.now().getTime());
  if (!row) throw new ShomeiError('invalid_token', 'the access token is not valid, has expired or was already used');
  return { tokenHash, offerId: row.offer_id };
}

/**
 * Issues the identity credential (OpenID4VCI 1.0 §8) bound to the key in the proof. Spending the
 * nonce and the access token, allocating the status index and recording the credential happen in
 * one transaction, so that a replayed request or a concurrent one cannot obtain a second credential.
 */
export async function issueCredential(deps: IssuerDeps, grant: AccessGrant, body: unknown): Promise<CredentialResponse> {
  const { sql, baseUrl, settings, statusLists } = deps;
  const { shape, proofJwts } = parseCredentialRequest(body, settings.batchSize);
  const now = deps.now();
  const proofs = proofJwts.map((jwt) =>
    verifyProofJwt(jwt, {
      audience: baseUrl,
      now,
      maxAgeSeconds: settings.proofMaxAgeSeconds,
      futureSkewSeconds: settings.proofFutureSkewSeconds,
    }),
  );
  const nonce = (proofs[0] as VerifiedProof).nonce;
  if (proofs.some((p) => p.nonce !== nonce)) throw new ShomeiError('invalid_proof', 'every proof of a batch must carry the same c_nonce');
  const thumbprints = proofs.map((p) => jwkThumbprint(p.holderJwk));
  if (new Set(thumbprints).size !== thumbprints.length) {
    throw new ShomeiError('invalid_proof', 'every proof of a batch must be signed by a different key');
  }
  const offer = await findOffer(sql, grant.offerId);
  if (!offer) throw new ShomeiError('internal', 'access token refers to a missing offer');
  const identity = unsealIdentity(deps, offer);

  const issuedAt = now;
  const expiresAt = new Date(now.getTime() + settings.credentialValidityDays * 86_400_000);
  const at = now.getTime();
  const indexes = new StatusIndexAllocator(sql);
  const issued = await sql.transaction(async (tx) => {
    if (!(await consumeNonce(tx, sha256(nonce), at))) {
      throw new ShomeiError('invalid_nonce', 'the proof nonce is not a current c_nonce from this issuer; fetch a new one');
    }
    if (!(await useAccessToken(tx, grant.tokenHash, at))) {
      throw new ShomeiError('invalid_token', 'the access token is not valid, has expired or was already used');
    }
    // One reservation for the whole batch of proofs: the list's bitmap is read and written once.
    const reserved = await indexes.reserveOn(STATUS_LIST_ID, thumbprints.length, tx);
    const rows: { id: string; idx: number }[] = [];
    for (const [i, thumbprint] of thumbprints.entries()) {
      const id = randomUUID();
      const idx = reserved[i] as number;
      await insertCredential(tx, {
        id,
        offer_id: offer.id,
        status_list_id: STATUS_LIST_ID,
        status_idx: idx,
        holder_jwk_thumbprint: thumbprint,
        assurance_level: offer.assurance_level,
        sandbox: offer.sandbox,
        issued_at: issuedAt.getTime(),
        expires_at: expiresAt.getTime(),
      });
      await deps.audit(
        {
          actor: 'system',
          action: 'credential.issued',
          subject: id,
          data: { offer_id: offer.id, status_idx: idx, request_shape: shape },
        },
        tx,
      );
      rows.push({ id, idx });
    }
    return rows;
  });

  const proofing = proofingOf(offer);
  const credentials: string[] = [];
  // Each credential is issued separately: its own salts, its own status index, its own holder key.
  for (const [i, proof] of proofs.entries()) {
    const { id, idx } = issued[i] as { id: string; idx: number };
    const credential = await issueSdJwtVc(
      deps.keys.current,
      identityCredentialInput({
        issuer: baseUrl,
        identity,
        proofing,
        holderJwk: proof.holderJwk,
        status: { idx, uri: statusLists.uri(STATUS_LIST_ID) },
        issuedAt,
        expiresAt,
        sdAlg: settings.sdAlg,
      }),
    );
    credentials.push(credential);
    const label = offer.sandbox ? '[sandbox] ' : '';
    deps.log(`${label}credential ${id} issued (${offer.assurance_level}, status ${STATUS_LIST_ID}/${idx})`);
  }
  // A tolerated older dialect is worth knowing about (which wallets still send it); the line names the shape only.
  if (isTolerance(shape)) deps.log(`warning: credential request in a tolerated pre-1.0 shape (${shape}) for offer ${offer.id}`);
  return credentialResponseFor(shape, credentials, async () => ({
    c_nonce: await createNonce(deps),
    c_nonce_expires_in: settings.nonceTtlSeconds,
  }));
}

function unsealIdentity(deps: IssuerDeps, offer: OfferRow): IdentityRecord {
  const json = JSON.parse(deps.vault.unseal(offer.identity_sealed, offer.id)) as unknown;
  return parseWith(identityRecordSchema, json, 'stored identity record', 'internal');
}

/** The proofing an offer records, as the credential's evidence states it. */
function proofingOf(offer: OfferRow): ProofingFacts {
  return {
    level: offer.assurance_level,
    evidenceType: offer.evidence_type,
    evidenceMethod: offer.evidence_method,
    proofedAt: offer.proofed_at,
    sandbox: Boolean(offer.sandbox),
  };
}
