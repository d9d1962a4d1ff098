import type { SqlExecutor } from '@shomei/shared';
import { type AuditEvent, appendAuditEvents } from './audit-log.js';

/**
 * Appends many events to the hash chain with one read of the chain's head: for batch issuance,
 * where one transaction records thousands of credentials. Joins the caller's transaction.
 */
export async function appendAuditMany(sql: SqlExecutor, at: number, events: readonly AuditEvent[]): Promise<void> {
  await appendAuditEvents(sql, at, events);
}
