import { hash } from 'node:crypto';
import type { Db } from '@shomei/shared';

/** Who did something: `system`, `cli`, `applicant:<application id>`, `admin:<token name>`. */
export type Actor = string;

export interface AuditEvent {
  actor: Actor;
  /** Dotted verb, e.g. `application.created`, `credential.revoked`. */
  action: string;
  /** The id the event is about (application, credential, token). */
  subject?: string;
  /** Non-personal details: states, levels, reasons, digests. Never a name, address, token or image. */
  data?: Record<string, unknown>;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  data: string;
  prev_hash: string;
  hash: string;
}

/** The hash of the first entry's predecessor. */
export const GENESIS_HASH = '0'.repeat(64);

/** Each entry's hash covers its position, content and the previous entry's hash. */
export function entryHash(row: Omit<AuditRow, 'hash'>): string {
  const canonical = JSON.stringify([row.seq, row.at, row.actor, row.action, row.subject, row.data, row.prev_hash]);
  return hash('sha256', canonical, 'hex');
}

export type AuditSink = (event: AuditEvent) => void;

/** Appends one event; must run inside (or as) a transaction so that two appends cannot share a predecessor. */
export function appendAudit(db: Db, now: () => Date, event: AuditEvent): AuditEntry {
  return db
    .transaction(() => {
      const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
        | { seq: number; hash: string }
        | undefined;
      const row: Omit<AuditRow, 'hash'> = {
        seq: (last?.seq ?? 0) + 1,
        at: now().getTime(),
        actor: event.actor,
        action: event.action,
        subject: event.subject ?? null,
        data: JSON.stringify(event.data ?? {}),
        prev_hash: last?.hash ?? GENESIS_HASH,
      };
      const full: AuditRow = { ...row, hash: entryHash(row) };
      db.prepare(
        'INSERT INTO audit_log (seq, at, actor, action, subject, data, prev_hash, hash) VALUES (@seq, @at, @actor, @action, @subject, @data, @prev_hash, @hash)',
      ).run(full);
      return toEntry(full);
    })
    .immediate();
}

function toEntry(row: AuditRow): AuditEntry {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(row.data) as Record<string, unknown>;
  } catch {
    data = { unparseable: true };
  }
  return { ...row, at: new Date(row.at).toISOString(), data };
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The newest entry's hash: write it down somewhere else to detect a truncated tail later. */
  head: string;
  /** The first problem found, if any. */
  problem?: { seq: number; kind: 'edited' | 'missing_or_reordered' | 'broken_link'; message: string };
}

/**
 * Walks the chain from the first entry: an edited row no longer matches its hash, a removed row
 * leaves a gap in `seq` and a broken link, a reordered row breaks the links around it. A removed
 * tail is detected by comparing `head` with a copy kept elsewhere (`expectedHead`).
 */
export function verifyAudit(db: Db, expectedHead?: string): AuditVerification {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    count++;
    if (row.seq !== expectedSeq) {
      return fail(count - 1, prev, row.seq, 'missing_or_reordered', `entry ${expectedSeq} is missing (next is ${row.seq})`);
    }
    const { hash: stored, ...rest } = row;
    if (entryHash(rest) !== stored) return fail(count - 1, prev, row.seq, 'edited', `entry ${row.seq} does not match its hash`);
    if (row.prev_hash !== prev)
      return fail(count - 1, prev, row.seq, 'broken_link', `entry ${row.seq} does not follow entry ${row.seq - 1}`);
    prev = stored;
    expectedSeq++;
  }
  if (expectedHead !== undefined && expectedHead !== prev) {
    return fail(count, prev, count, 'missing_or_reordered', 'the newest entry is not the expected head: entries were removed or added');
  }
  return { ok: true, entries: count, head: prev };
}

function fail(entries: number, head: string, seq: number, kind: NonNullable<AuditVerification['problem']>['kind'], message: string) {
  return { ok: false, entries, head, problem: { seq, kind, message } };
}

/** Every entry, oldest first, one JSON object per line. */
export function* exportAudit(db: Db): Generator<string> {
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    yield JSON.stringify(toEntry(row));
  }
}
