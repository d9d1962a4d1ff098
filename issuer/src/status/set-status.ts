import { appendAudit } from '../audit/audit-log.js';
import type { IssuerDeps } from '../deps.js';
import { type CredentialStatus, findCredential, setCredentialStatusReason } from '../store/credentials.js';

/**
 * Revokes, suspends or reinstates a credential; the next status list token reflects it. Records
 * who did it and why in the credential row and the audit log, all in one transaction.
 */
export async function setCredentialStatus(
  deps: IssuerDeps,
  credentialId: string,
  status: CredentialStatus,
  context: { actor?: string; reason?: string } = {},
): Promise<void> {
  const reason = context.reason ?? null;
  const sandbox = await deps.sql.transaction(async (tx) => {
    const before = await findCredential(tx, credentialId);
    await deps.statusLists.setCredentialStatus(credentialId, status, tx);
    await setCredentialStatusReason(tx, credentialId, reason);
    await appendAudit(tx, deps.now, {
      actor: context.actor ?? 'system',
      action: `credential.${status === 'valid' ? 'reinstated' : status}`,
      subject: credentialId,
      data: { from: before?.status, to: status, ...(reason ? { reason } : {}) },
    });
    return before?.sandbox;
  });
  deps.log(`${sandbox ? '[sandbox] ' : ''}credential ${credentialId} status set to ${status}`);
}
