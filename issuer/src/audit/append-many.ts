import type { Db } from '@shomei/shared';
import { type AuditEvent, entryHash, GENESIS_HASH } from './audit-log.js';

/**
 * Appends many events to the hash chain with one read of the chain's head: for batch issuance,
 * where one transaction records thousands of credentials. Must run inside that transaction.
 */
export function appendAuditMany(db: Db, at: number, events: readonly AuditEvent[]): void {
  if (events.length === 0) return;
  const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  const insert = db.prepare(
    'INSERT INTO audit_log (seq, at, actor, action, subject, data, prev_hash, hash) VALUES (@seq, @at, @actor, @action, @subject, @data, @prev_hash, @hash)',
  );
  let seq = last?.seq ?? 0;
  let prev = last?.hash ?? GENESIS_HASH;
  for (const event of events) {
    seq++;
    const row = {
      seq,
      at,
      actor: event.actor,
      action: event.action,
      subject: event.subject ?? null,
      data: JSON.stringify(event.data ?? {}),
      prev_hash: prev,
    };
    prev = entryHash(row);
    insert.run({ ...row, hash: prev });
  }
}
