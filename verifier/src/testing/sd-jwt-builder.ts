import type { KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { b64u, disclosureDigest, type KeyPair, type PublicJwk, type SdAlg, sdDigest, signJws } from '@shomei/shared';

export interface BuildSdJwtInput {
  /** Issuer JWS header (alg, typ, kid). */
  header: Record<string, unknown>;
  issuerKey: KeyObject;
  /** Always-visible claims. */
  visible: Record<string, unknown>;
  /** Top-level selectively disclosable claims. */
  disclosable: Record<string, unknown>;
  holder?: KeyPair;
  /** The `_sd_alg` for the disclosures and the key binding's sd_hash (default sha-256). */
  sdAlg?: SdAlg;
}

/**
 * A minimal SD-JWT issuer written from RFC 9901 for tests and the benchmark: any JWS alg the
 * shared JWS code signs, any typ, top-level disclosures only. Returns the credential and a
 * function that presents chosen claims with a key-binding JWT.
 */
export function buildSdJwt(input: BuildSdJwtInput) {
  const disclosures = Object.entries(input.disclosable).map(([name, value]) =>
    b64u(Buffer.from(JSON.stringify([randomBytes(16).toString('base64url'), name, value]))),
  );
  const sdAlg = input.sdAlg ?? 'sha-256';
  const payload: Record<string, unknown> = { ...input.visible, _sd: disclosures.map((d) => disclosureDigest(d, sdAlg)), _sd_alg: sdAlg };
  if (input.holder) payload.cnf = { jwk: stripKid(input.holder.publicJwk) };
  const jwt = signJws(input.header, payload, input.issuerKey);
  const names = Object.keys(input.disclosable);
  return {
    credential: `${jwt}~${disclosures.join('~')}${disclosures.length ? '~' : ''}`,
    present(only: readonly string[], kb?: { nonce: string; aud: string; iat: Date; alg?: string }): string {
      const chosen = disclosures.filter((_, i) => only.includes(names[i] as string));
      const sdPart = `${jwt}~${chosen.map((d) => `${d}~`).join('')}`;
      if (!kb || !input.holder) return sdPart;
      const sdHash = sdDigest(sdAlg, sdPart);
      const kbJwt = signJws(
        { typ: 'kb+jwt', alg: kb.alg ?? 'ES256' },
        { nonce: kb.nonce, aud: kb.aud, iat: Math.floor(kb.iat.getTime() / 1000), sd_hash: sdHash },
        input.holder.privateKey,
      );
      return `${sdPart}${kbJwt}`;
    },
  };
}

function stripKid(jwk: PublicJwk): PublicJwk {
  const { kid: _kid, ...rest } = jwk;
  return rest;
}
