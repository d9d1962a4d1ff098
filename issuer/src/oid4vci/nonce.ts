import type { IssuerDeps } from '../deps.js';
import { randomToken, sha256 } from '../lib/secrets.js';
import { deleteExpiredNonces, insertNonce } from '../store/nonces.js';

/** A fresh c_nonce (OpenID4VCI 1.0 §7): single use, short-lived, stored as a digest. */
export function createNonce(deps: IssuerDeps): string {
  const now = deps.now().getTime();
  const nonce = randomToken();
  deps.db.transaction(() => {
    deleteExpiredNonces(deps.db, now);
    insertNonce(deps.db, sha256(nonce), now + deps.settings.nonceTtlSeconds * 1000);
  })();
  return nonce;
}
