import { hash } from 'node:crypto';
import type { AuditEvent } from '../audit/audit-log.js';

/** What one committed chunk issued (direct mode) or offered (offers mode). */
export interface ChunkRecord {
  line: number;
  /** The credential id (direct) or offer id (offers). */
  id: string;
  level: string;
  method: string;
}

/**
 * One audit entry per committed chunk instead of one per credential: at a million rows the
 * per-credential entries cost more than a fifth of the bookkeeping thread. The entry still pins
 * down every record: `records_sha256` is the SHA-256 of the chunk's `line id` pairs in line order,
 * so the per-record rows (batch_records, credentials) can be checked against the hash-chained log
 * (see `chunkRecordsDigest`), and the counts per level and method say what was asserted.
 */
export function chunkAuditEvent(actor: string, jobId: string, direct: boolean, records: readonly ChunkRecord[]): AuditEvent {
  const levels: Record<string, number> = {};
  const methods: Record<string, number> = {};
  for (const r of records) {
    levels[r.level] = (levels[r.level] ?? 0) + 1;
    methods[r.method] = (methods[r.method] ?? 0) + 1;
  }
  return {
    actor,
    action: direct ? 'batch.credentials_issued' : 'batch.offers_created',
    subject: jobId,
    data: {
      batch_job: jobId,
      first_line: records[0]?.line,
      last_line: records.at(-1)?.line,
      count: records.length,
      assurance_levels: levels,
      methods,
      records_sha256: chunkRecordsDigest(records),
    },
  };
}

/** SHA-256 (hex) of `line id` pairs, one per line, in line order. */
export function chunkRecordsDigest(records: readonly Pick<ChunkRecord, 'line' | 'id'>[]): string {
  return hash('sha256', records.map((r) => `${r.line} ${r.id}`).join('\n'), 'hex');
}
