import type { KeyObject } from 'node:crypto';
import { b64uDecode, type DidDocument, didWebDocumentUrl, type ParsedJws, publicKeyFromJwk, ShomeiError } from '@shomei/shared';
import type { VerifierIdentity } from '../verifier-identity.js';
import { verifyRequestSignature } from './signature.js';

export interface DidContext {
  resolveDid: (did: string) => Promise<DidDocument>;
}

/**
 * `decentralized_identifier:<did>` (OpenID4VP 1.0 §5.9.3): the request is signed with a key of the
 * DID, named by the header `kid`. did:web is resolved over HTTPS; its response_uri must stay on the
 * DID's own origin (Shomei's rule: the origin is what did:web proves). did:jwk is the key itself,
 * proves no origin, and so binds no response_uri.
 */
export async function identifyByDid(did: string, jws: ParsedJws, responseUri: URL, ctx: DidContext): Promise<VerifierIdentity> {
  const kid = jws.header.kid;
  if (typeof kid !== 'string' || !kid.startsWith(`${did}#`)) {
    throw new ShomeiError('request_invalid', "the request object kid is not a key of the verifier's DID");
  }
  let key: KeyObject;
  if (did.startsWith('did:web:')) {
    const didOrigin = new URL(didWebDocumentUrl(did)).origin;
    const document = await ctx.resolveDid(did);
    const method = document.verificationMethod.find((m) => m.id === kid || `${did}${m.id}` === kid);
    if (!method) throw new ShomeiError('request_invalid', "the request object was signed with a key the verifier's DID does not list");
    key = publicKeyFromJwk(method.publicKeyJwk);
    verifyRequestSignature(jws, key);
    if (responseUri.origin !== didOrigin) {
      throw new ShomeiError('request_invalid', "the response_uri is not on the verifier's own origin");
    }
  } else if (did.startsWith('did:jwk:')) {
    // did:jwk has exactly one verification method, `#0` (did:jwk method spec).
    if (kid !== `${did}#0`) throw new ShomeiError('request_invalid', 'a did:jwk request object must be signed by its #0 key');
    key = didJwkKey(did);
    verifyRequestSignature(jws, key);
  } else {
    throw new ShomeiError('request_invalid', 'only did:web and did:jwk verifiers are supported');
  }
  return { prefix: 'decentralized_identifier', value: did, verified: true, kid, certificate: null };
}

function didJwkKey(did: string): KeyObject {
  let jwk: unknown;
  try {
    jwk = JSON.parse(b64uDecode(did.slice('did:jwk:'.length)).toString('utf8'));
  } catch {
    throw new ShomeiError('request_invalid', 'the did:jwk is not a base64url JSON key');
  }
  if (typeof jwk !== 'object' || jwk === null || 'd' in jwk) throw new ShomeiError('request_invalid', 'the did:jwk is not a public key');
  try {
    return publicKeyFromJwk(jwk);
  } catch {
    throw new ShomeiError('request_invalid', 'the did:jwk is not a usable public key');
  }
}
