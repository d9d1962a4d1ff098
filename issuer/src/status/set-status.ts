import type { IssuerDeps } from '../deps.js';
import { type CredentialStatus, findCredential } from '../store/credentials.js';

/** Revokes, suspends or reinstates a credential; the next status list token reflects it. */
export function setCredentialStatus(deps: IssuerDeps, credentialId: string, status: CredentialStatus): void {
  deps.statusLists.setCredentialStatus(credentialId, status);
  const label = findCredential(deps.db, credentialId)?.sandbox ? '[sandbox] ' : '';
  deps.log(`${label}credential ${credentialId} status set to ${status}`);
}
