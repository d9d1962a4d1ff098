import { hash } from 'node:crypto';
import { ShomeiError, type SqlExecutor } from '@shomei/shared';

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

/**
 * Where events go (`deps.audit`). Inside a transaction pass it as `tx`: the event then commits or
 * rolls back with the change it records (and on SQLite, a call on the database itself would wait
 * for that very transaction).
 */
export type AuditSink = (event: AuditEvent, tx?: SqlExecutor) => Promise<void>;

/** The head row every append locks and moves: appenders on any replica queue on it (one chain, no fork). */
const LOCK_HEAD = 'SELECT seq, hash FROM audit_head WHERE id = 1';
const MOVE_HEAD = 'UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1';
const INSERT_ENTRY = 'INSERT INTO audit_log (seq, at, actor, action, subject, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

/** The next entries after `head`, hashed into the chain. */
function chainAfter(head: { seq: number; hash: string }, at: number, events: readonly AuditEvent[]): AuditRow[] {
  let seq = Number(head.seq);
  let prev = head.hash;
  return events.map((event) => {
    seq++;
    const row: Omit<AuditRow, 'hash'> = {
      seq,
      at,
      actor: event.actor,
      action: event.action,
      subject: event.subject ?? null,
      data: JSON.stringify(event.data ?? {}),
      prev_hash: prev,
    };
    prev = entryHash(row);
    return { ...row, hash: prev };
  });
}

function entryParams(r: AuditRow): [number, number, string, string, string | null, string, string, string] {
  return [r.seq, r.at, r.actor, r.action, r.subject, r.data, r.prev_hash, r.hash];
}

/**
 * Appends events to the chain in one transaction (joining the caller's when `sql` is one): the
 * head row is locked (`FOR UPDATE` on PostgreSQL, the write lock on SQLite), the entries written
 * after it, and the head moved, so two appenders never share a predecessor.
 */
export async function appendAuditEvents(sql: SqlExecutor, at: number, events: readonly AuditEvent[]): Promise<AuditEntry[]> {
  if (events.length === 0) return [];
  return sql.transaction(async (tx) => {
    const head = await tx.getForUpdate<{ seq: number; hash: string }>(LOCK_HEAD);
    if (!head) throw new ShomeiError('internal', 'the audit chain has no head row');
    const rows = chainAfter(head, at, events);
    for (const row of rows) await tx.run(INSERT_ENTRY, entryParams(row));
    const last = rows[rows.length - 1] as AuditRow;
    await tx.run(MOVE_HEAD, [last.seq, last.hash]);
    return rows.map(toEntry);
  });
}

/** Appends one event (see appendAuditEvents). */
export async function appendAudit(sql: SqlExecutor, now: () => Date, event: AuditEvent): Promise<AuditEntry> {
  const [entry] = await appendAuditEvents(sql, now().getTime(), [event]);
  return entry as AuditEntry;
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
export async function verifyAudit(sql: SqlExecutor, expectedHead?: string): Promise<AuditVerification> {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for await (const row of auditRows(sql)) {
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

/** Pages through the log by seq, so that a long log is never held in memory at once. */
const PAGE = 1000;
async function* auditRows(sql: SqlExecutor): AsyncGenerator<AuditRow> {
  let after = 0;
  for (;;) {
    const rows = await sql.all<AuditRow>('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?', [after, PAGE]);
    for (const row of rows) yield { ...row, seq: Number(row.seq), at: Number(row.at) };
    if (rows.length < PAGE) return;
    after = Number((rows[rows.length - 1] as AuditRow).seq);
  }
}

/** Every entry, oldest first, one JSON object per line. */
export async function* exportAudit(sql: SqlExecutor): AsyncGenerator<string> {
  for await (const row of auditRows(sql)) yield JSON.stringify(toEntry(row));
}
