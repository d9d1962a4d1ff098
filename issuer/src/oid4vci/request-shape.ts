import { credentialRequestSchema, IDENTITY_CONFIGURATION_ID, IDENTITY_VCT, parseWith, ShomeiError } from '@shomei/shared';

/**
 * Which dialect of OpenID4VCI a wallet's credential request was written in. Recorded in the
 * `credential.issued` audit entry, and it decides the shape of the answer:
 *
 * - `oid4vci-1.0`: `credential_configuration_id` + `proofs` (OpenID4VCI 1.0 §8.2). Answer
 *   `{credentials: [{credential}, …]}` (1.0 §8.3).
 * - `proof-singular`: `credential_configuration_id` + the singular `proof` (draft 15 §8.2; drafts
 *   13–14 had it too). Draft 15 §8.3 answers `{credentials: [{credential}]}`, the 1.0 shape, so it
 *   gets exactly that.
 * - `draft-13`: `format` (`dc+sd-jwt` or the legacy `vc+sd-jwt`) + `vct` + the singular `proof`
 *   (draft 13 §7.2, Appendix A.3.4). Draft 13 §7.3 answers `{credential: "…"}` with an optional
 *   fresh `c_nonce`/`c_nonce_expires_in` for the wallet's next request; a draft-13 wallet knows no
 *   nonce endpoint, so it gets one.
 * - `draft-14-proofs`: `format` + `vct` + `proofs` (draft 14 §8.2, where `proofs` arrived while
 *   `format` was still allowed). Draft 14 §8.3 answers `{credentials: ["…", …]}` (an array of the
 *   credentials themselves, strings for SD-JWT VC), plus `c_nonce` as above.
 *
 * Every shape carries the same key proofs, checked the same way: the shape changes the envelope,
 * never the signature, nonce, audience or freshness checks.
 */
export type RequestShape = 'oid4vci-1.0' | 'proof-singular' | 'draft-13' | 'draft-14-proofs';

/** The shapes accepted as a tolerance (not OpenID4VCI 1.0): each use is logged as a warning. */
export function isTolerance(shape: RequestShape): boolean {
  return shape !== 'oid4vci-1.0';
}

/** SD-JWT VC format identifiers: `dc+sd-jwt` (1.0 Appendix A.3) and its draft-13/14 name `vc+sd-jwt`. */
const SD_JWT_VC_FORMATS = new Set(['dc+sd-jwt', 'vc+sd-jwt']);

export interface ParsedCredentialRequest {
  shape: RequestShape;
  /** 1..batchSize key proof JWTs: one credential per proof, in the same order. */
  proofJwts: string[];
}

/**
 * Parses a credential request in any accepted shape (see RequestShape). Refused with
 * `invalid_credential_request`: both `proof` and `proofs` (drafts 13–15 §7.2/§8.2 forbid it), no
 * proof at all, both `credential_configuration_id` and `format`, neither; with
 * `unknown_credential_configuration`: a configuration id, format or `vct` this issuer does not issue.
 */
export function parseCredentialRequest(body: unknown, batchSize: number): ParsedCredentialRequest {
  const req = parseWith(credentialRequestSchema, body, 'credential request', 'invalid_credential_request');
  if (req.proof !== undefined && req.proofs !== undefined) {
    throw new ShomeiError('invalid_credential_request', 'send either proof or proofs, not both');
  }
  if (req.proof === undefined && req.proofs === undefined) {
    throw new ShomeiError('invalid_credential_request', 'a key proof is required (proofs.jwt)');
  }
  const byFormat = requestedByFormat(req);

  let proofJwts: string[];
  if (req.proof !== undefined) {
    // Only JWT proofs are offered (proof_types_supported); another type is a proof this issuer cannot check.
    if (req.proof.proof_type !== 'jwt') throw new ShomeiError('invalid_proof', 'proof_type must be jwt');
    if (req.proof.jwt === undefined) throw new ShomeiError('invalid_proof', 'proof has no jwt');
    proofJwts = [req.proof.jwt];
  } else {
    proofJwts = (req.proofs as { jwt: string[] }).jwt;
    if (proofJwts.length > batchSize) {
      throw new ShomeiError('invalid_credential_request', `at most ${batchSize} proofs per request (batch_size)`);
    }
  }
  const singular = req.proof !== undefined;
  const shape: RequestShape = byFormat ? (singular ? 'draft-13' : 'draft-14-proofs') : singular ? 'proof-singular' : 'oid4vci-1.0';
  return { shape, proofJwts };
}

/** True for a draft-13/14 `format` + `vct` request, false for a `credential_configuration_id` one; throws for anything not issued here. */
function requestedByFormat(req: {
  credential_configuration_id?: string | undefined;
  format?: string | undefined;
  vct?: string | undefined;
}) {
  if (req.credential_configuration_id !== undefined) {
    if (req.format !== undefined) {
      throw new ShomeiError('invalid_credential_request', 'send either credential_configuration_id or format, not both');
    }
    if (req.credential_configuration_id !== IDENTITY_CONFIGURATION_ID) {
      throw new ShomeiError('unknown_credential_configuration', 'credential_configuration_id is not offered by this issuer');
    }
    return false;
  }
  if (req.format === undefined) throw new ShomeiError('invalid_credential_request', 'credential_configuration_id is required');
  if (!SD_JWT_VC_FORMATS.has(req.format)) {
    throw new ShomeiError('unknown_credential_configuration', 'this issuer issues only the dc+sd-jwt (vc+sd-jwt) format');
  }
  if (req.vct === undefined) throw new ShomeiError('invalid_credential_request', 'vct is required with the SD-JWT VC format');
  if (req.vct !== IDENTITY_VCT) throw new ShomeiError('unknown_credential_configuration', 'vct is not issued by this issuer');
  return true;
}

/** A c_nonce handed out with a draft-13/14 answer. */
export interface NextNonce {
  c_nonce: string;
  c_nonce_expires_in: number;
}

/** The credential response in the shape the request was written in (see RequestShape). */
export async function credentialResponseFor(
  shape: RequestShape,
  credentials: string[],
  next: () => Promise<NextNonce>,
): Promise<Record<string, unknown>> {
  switch (shape) {
    case 'oid4vci-1.0':
    case 'proof-singular':
      return { credentials: credentials.map((credential) => ({ credential })) };
    case 'draft-13':
      return { credential: credentials[0], ...(await next()) };
    case 'draft-14-proofs':
      return { credentials, ...(await next()) };
  }
}
