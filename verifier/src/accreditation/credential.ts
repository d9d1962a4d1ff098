import { type AssuranceLevel, b64uDecode, ShomeiError } from '@shomei/shared';
import type { VerifyingAgent } from './veramo.js';

export const ACCREDITATION_TYPE = 'ShomeiAccreditation';
export const ACCREDITATION_STATUS_TYPE = 'TokenStatusListEntry';

/** What a verified accreditation says. */
export interface Accreditation {
  id: string | undefined;
  anchor: string;
  subject: string;
  vcts: string[];
  maxAssurance: AssuranceLevel;
  validFrom: number;
  validUntil: number;
  status: { uri: string; idx: number } | undefined;
}

/** The anchor's did:jwk DID names its public key; its issuer `kid` in JWTs is `<did>#0`. */
export function jwkOfDidJwk(did: string): Record<string, unknown> {
  const m = /^did:jwk:([A-Za-z0-9_-]+)$/.exec(did);
  if (!m) throw new ShomeiError('malformed', 'not a did:jwk DID');
  return JSON.parse(b64uDecode(m[1] as string).toString('utf8')) as Record<string, unknown>;
}

/**
 * Verifies an accreditation VC-JWT with @veramo/credential-w3c (signature against the anchor's
 * did:jwk), then Shomei's rules: issued by one of `anchors`, typed ShomeiAccreditation, about
 * `subject`, valid at `now`. Revocation (its status list entry) is checked by the caller, from cache.
 */
export async function verifyAccreditation(
  agent: VerifyingAgent,
  jwt: string,
  expected: { anchors: readonly string[]; subject: string; now: Date },
): Promise<Accreditation> {
  const nowSec = Math.floor(expected.now.getTime() / 1000);
  const result = await agent.verifyCredential({
    credential: jwt,
    policies: { now: nowSec, credentialStatus: false, expirationDate: false, issuanceDate: false },
  });
  if (!result.verified) throw new ShomeiError('signature_invalid', 'the accreditation credential does not verify');
  const vc = result.verifiableCredential as unknown as Record<string, unknown> | undefined;
  if (!vc) throw new ShomeiError('malformed', 'the accreditation credential could not be read');
  const issuer = typeof vc.issuer === 'string' ? vc.issuer : (vc.issuer as { id?: string } | undefined)?.id;
  if (!issuer || !expected.anchors.includes(issuer))
    throw new ShomeiError('untrusted_issuer', 'the accreditation is not from a configured anchor');
  const types = Array.isArray(vc.type) ? vc.type : [vc.type];
  if (!types.includes(ACCREDITATION_TYPE)) throw new ShomeiError('malformed', `the credential is not a ${ACCREDITATION_TYPE}`);
  const subject = vc.credentialSubject as { id?: unknown; accreditation?: { vcts?: unknown; max_assurance?: unknown } } | undefined;
  if (subject?.id !== expected.subject) throw new ShomeiError('untrusted_issuer', 'the accreditation is about another DID');
  const vcts = subject.accreditation?.vcts;
  const level = subject.accreditation?.max_assurance;
  if (!Array.isArray(vcts) || !vcts.every((v) => typeof v === 'string') || !['IAL1', 'IAL2', 'IAL3'].includes(level as string)) {
    throw new ShomeiError('malformed', 'the accreditation must name vcts and max_assurance');
  }
  const validFrom = Date.parse(String(vc.issuanceDate ?? vc.validFrom ?? ''));
  const validUntil = Date.parse(String(vc.expirationDate ?? vc.validUntil ?? ''));
  if (Number.isNaN(validUntil)) throw new ShomeiError('malformed', 'the accreditation must carry an expiration date');
  if (expected.now.getTime() >= validUntil) throw new ShomeiError('expired', 'the accreditation has expired');
  if (!Number.isNaN(validFrom) && expected.now.getTime() + 60_000 < validFrom)
    throw new ShomeiError('not_yet_valid', 'the accreditation is not yet valid');
  const st = vc.credentialStatus as { type?: unknown; statusListUri?: unknown; statusListIndex?: unknown } | undefined;
  let status: Accreditation['status'];
  if (st !== undefined) {
    if (st.type !== ACCREDITATION_STATUS_TYPE || typeof st.statusListUri !== 'string' || typeof st.statusListIndex !== 'number') {
      throw new ShomeiError('malformed', 'the accreditation status entry is not understood');
    }
    status = { uri: st.statusListUri, idx: st.statusListIndex };
  }
  return {
    id: typeof vc.id === 'string' ? vc.id : undefined,
    anchor: issuer,
    subject: expected.subject,
    vcts: vcts as string[],
    maxAssurance: level as AssuranceLevel,
    validFrom: Number.isNaN(validFrom) ? 0 : validFrom,
    validUntil,
    status,
  };
}
