import type { IssuerDeps } from '../deps.js';
import { randomToken, sha256 } from '../lib/secrets.js';
import { deleteExpiredNonces, insertNonce } from '../store/nonces.js';

/** A fresh c_nonce (OpenID4VCI 1.0 §7): single use, short-lived, stored as a digest. */
export async function createNonce(deps: IssuerDeps): Promise<string> {
  const now = deps.now().getTime();
  const nonce = randomToken();
  await deps.sql.transaction(async (tx) => {
    await deleteExpiredNonces(tx, now);
    await insertNonce(tx, sha256(nonce), now + deps.settings.nonceTtlSeconds * 1000);
  });
  return nonce;
}
