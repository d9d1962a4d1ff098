import type { OutboundPolicy } from '@shomei/shared';
import { daysLeft, type LiveStatus, NEAR_EXPIRY_DAYS, StatusChecker, type StatusReport } from '../credential/status.js';
import type { Style } from '../ui/io.js';
import type { CredentialBatch } from '../wallet/credential-repository.js';
import type { Wallet } from '../wallet/wallet.js';

const SEVERITY: LiveStatus[] = ['not_checked', 'valid', 'unknown', 'suspended', 'revoked', 'expired'];

/**
 * The live status of each batch: every copy is looked up (each has its own status index) and the
 * worst one is reported. `offline` skips the network and says so.
 */
export async function batchStatuses(
  wallet: Wallet,
  batches: readonly CredentialBatch[],
  now: Date,
  offline: boolean,
  policy?: OutboundPolicy,
): Promise<Map<string, StatusReport>> {
  const checker = new StatusChecker(now, policy);
  const out = new Map<string, StatusReport>();
  for (const b of batches) {
    if (offline) {
      const expired = b.record.expiresAt !== null && Date.parse(b.record.expiresAt) <= now.getTime();
      out.set(b.id, { status: expired ? 'expired' : 'not_checked' });
      continue;
    }
    const reports = await Promise.all(b.copies.map((c) => checker.check(c, wallet.credentials.compact(c.id) ?? '')));
    const worst = reports.reduce((a, r) => (SEVERITY.indexOf(r.status) > SEVERITY.indexOf(a.status) ? r : a), {
      status: 'not_checked',
    } as StatusReport);
    out.set(b.id, worst);
  }
  return out;
}

export function statusText(r: StatusReport | undefined, s: Style): string {
  switch (r?.status) {
    case 'valid':
      return s.green('valid');
    case 'revoked':
      return s.red('revoked');
    case 'suspended':
      return s.yellow('suspended');
    case 'expired':
      return s.red('expired');
    case 'unknown':
      return s.yellow('unknown');
    default:
      return s.dim('not checked');
  }
}

/** Lines warning about credentials near expiry or not valid (empty when all is well). */
export function warnings(batches: readonly CredentialBatch[], statuses: Map<string, StatusReport>, now: Date): string[] {
  const lines: string[] = [];
  for (const b of batches) {
    const st = statuses.get(b.id);
    const days = daysLeft(b.record, now);
    if (st?.status === 'revoked') lines.push(`credential ${b.id} has been revoked by its issuer; verifiers will refuse it`);
    else if (st?.status === 'suspended')
      lines.push(`credential ${b.id} is suspended by its issuer; verifiers will refuse it until it is reinstated`);
    else if (st?.status === 'expired') lines.push(`credential ${b.id} has expired; ask the issuer for a new one`);
    else if (days !== null && days < NEAR_EXPIRY_DAYS) {
      lines.push(
        `credential ${b.id} expires in ${days === 0 ? 'less than a day' : days === 1 ? '1 day' : `${days} days`}; ask the issuer for a new one`,
      );
    }
    if (st?.status === 'unknown' && st.reason) lines.push(`status of credential ${b.id} unknown: ${st.reason}`);
  }
  return lines;
}
