import type { IssuerDeps } from '../deps.js';
import { type CredentialStatus, findCredential } from '../store/credentials.js';

/**
 * Revokes, suspends or reinstates a credential; the next status list token reflects it. Records
 * who did it and why in the credential row and the audit log.
 */
export function setCredentialStatus(
  deps: IssuerDeps,
  credentialId: string,
  status: CredentialStatus,
  context: { actor?: string; reason?: string } = {},
): void {
  const reason = context.reason ?? null;
  deps.db
    .transaction(() => {
      const before = findCredential(deps.db, credentialId)?.status;
      deps.statusLists.setCredentialStatus(credentialId, status);
      deps.db.prepare('UPDATE credentials SET status_reason = ? WHERE id = ?').run(reason, credentialId);
      deps.audit({
        actor: context.actor ?? 'system',
        action: `credential.${status === 'valid' ? 'reinstated' : status}`,
        subject: credentialId,
        data: { from: before, to: status, ...(reason ? { reason } : {}) },
      });
    })
    .immediate();
  const label = findCredential(deps.db, credentialId)?.sandbox ? '[sandbox] ' : '';
  deps.log(`${label}credential ${credentialId} status set to ${status}`);
}
