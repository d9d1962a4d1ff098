import {
  DID_CLIENT_ID_PREFIX,
  REDIRECT_URI_CLIENT_ID_PREFIX,
  ShomeiError,
  VERIFIER_ATTESTATION_CLIENT_ID_PREFIX,
  X509_HASH_CLIENT_ID_PREFIX,
  X509_SAN_DNS_CLIENT_ID_PREFIX,
} from '@shomei/shared';
import { sanitize } from '../../ui/text.js';
import type { ClientIdPrefix } from '../verifier-identity.js';

const PREFIXES: Record<string, ClientIdPrefix> = {
  [DID_CLIENT_ID_PREFIX]: 'decentralized_identifier',
  [X509_SAN_DNS_CLIENT_ID_PREFIX]: 'x509_san_dns',
  [X509_HASH_CLIENT_ID_PREFIX]: 'x509_hash',
  [REDIRECT_URI_CLIENT_ID_PREFIX]: 'redirect_uri',
};

/**
 * Splits a client_id at its first `:` (OpenID4VP 1.0 §5.9.1). A client_id without a known prefix
 * would be a pre-registered client (§5.9.2), and this wallet has no registrations: refused, as are
 * `origin:` (reserved for the DC API, a wallet MUST NOT accept it), `openid_federation:` and
 * `verifier_attestation:`, which need trust anchors the wallet does not hold.
 */
export function splitClientId(clientId: string): { prefix: ClientIdPrefix; value: string } {
  const colon = clientId.indexOf(':');
  if (colon <= 0)
    throw new ShomeiError('request_invalid', 'the client_id has no client identifier prefix (pre-registered verifiers are not supported)');
  const head = clientId.slice(0, colon + 1);
  const value = clientId.slice(colon + 1);
  const prefix = PREFIXES[head];
  if (head === VERIFIER_ATTESTATION_CLIENT_ID_PREFIX) {
    throw new ShomeiError(
      'verifier_untrusted',
      'verifier_attestation: the wallet trusts no issuer of verifier attestations, so it cannot establish trust in this verifier',
    );
  }
  if (prefix === undefined) {
    throw new ShomeiError('request_invalid', `unsupported client identifier prefix ${sanitize(head, 40)}`);
  }
  if (value.length === 0) throw new ShomeiError('request_invalid', 'the client_id has nothing after its prefix');
  return { prefix, value };
}
