import { ShomeiError } from '@shomei/shared';
import { appendAuditMany } from '../audit/append-many.js';
import type { IssuerDeps } from '../deps.js';
import { prepareOffer } from '../issuance/offers.js';
import type { StatusSlot } from '../status/allocator.js';
import { insertOffer, type NewOffer } from '../store/offers.js';
import { chunkAuditEvent } from './chunk-audit.js';
import { appendLines, type ErrorLine, errorLine, offerLine } from './outputs.js';
import type { BatchRecord } from './record.js';
import type { ChunkResult, Outcome } from './sign-item.js';
import { type BatchJobRow, type EarlierRecord, type findBatchRecordsStatement, saveCheckpoint } from './store.js';

/** What a chunk commit works with: the job, its open outputs and its running totals. */
export interface ChunkCommitContext {
  deps: IssuerDeps;
  jobId: string;
  direct: boolean;
  /** Who the audit log names: `batch:<job id prefix>`. */
  actor: string;
  /** The credentials' iat and exp (epoch ms), the same for the whole batch. */
  issuedAt: number;
  expiresAt: number;
  /** Offers mode: how long each offer may be redeemed. */
  offerTtlSeconds: number;
  /** Offers mode: a record whose earlier offer expired unredeemed gets a new offer (else it is skipped). */
  reissueExpired: boolean;
  findRecords: ReturnType<typeof findBatchRecordsStatement>;
  /** The output and errors files, open at their checkpoint. */
  out: number;
  err: number;
  /** The job's checkpoint as committed so far; advanced by each commit. */
  state: BatchJobRow;
}

/** A row accepted for issuance. */
interface Accepted {
  line: number;
  externalId: string;
  /** The credential id (direct mode, made with the credential) or the offer id (set when the offer is made). */
  id: string;
  outcome: Extract<Outcome, { ok: true }>;
  /** Direct mode: the output line, as written by the signing thread. */
  output?: Uint8Array;
  statusListId: string;
  statusIdx: number;
  /** The earlier offer this one replaces (`--reissue-expired`). */
  replaces?: string;
}

/**
 * Commits a processed chunk: sorts its rows into accepted, refused and already issued, appends
 * the output and error lines and fsyncs them, then records everything in one transaction (the
 * credentials or offers, the external ids, the chunk's audit entry, the checkpoint). Outputs go
 * first, durably: a commit never points past what is on disk.
 */
export function commitChunk(
  ctx: ChunkCommitContext,
  parts: readonly ChunkResult[],
  unreadable: readonly ErrorLine[],
  slots: Map<number, StatusSlot>,
  lastLine: number,
): void {
  const { deps, state } = ctx;
  const { accepted, errors, skipped } = sortOutcomes(ctx, parts, unreadable, slots);
  const offers = ctx.direct ? [] : makeOffers(deps, accepted, ctx.offerTtlSeconds);
  const outLines = ctx.direct ? accepted.map((a) => a.output as Uint8Array) : offers.map((o) => o.line);
  const outBytes = appendLines(ctx.out, state.out_bytes, outLines);
  const errBytes = appendLines(ctx.err, state.err_bytes, errors.map(errorLine));
  const at = deps.now().getTime();
  state.next_line = lastLine + 1;
  state.out_bytes = outBytes;
  state.err_bytes = errBytes;
  state.issued += accepted.length;
  state.skipped += skipped;
  state.errors += errors.length;
  state.updated_at = at;
  recordChunk(
    ctx,
    accepted,
    offers.map((o) => o.row),
    at,
  );
}

/**
 * Idempotent by external id: a repeat within this job is an error row; one issued by an earlier
 * job is skipped (already issued) and counted. Chunks commit in file order, so the database holds
 * every earlier chunk's ids and `seen` this chunk's. Errors come back in line order.
 */
function sortOutcomes(
  ctx: ChunkCommitContext,
  parts: readonly ChunkResult[],
  unreadable: readonly ErrorLine[],
  slots: Map<number, StatusSlot>,
): { accepted: Accepted[]; errors: ErrorLine[]; skipped: number } {
  const errors = [...unreadable];
  const accepted: Accepted[] = [];
  const seen = new Map<string, number>();
  let skipped = 0;
  const earlierJobs = ctx.findRecords(parts.flatMap((part) => part.outcomes.flatMap((o) => (o.ok ? [o.externalId] : []))));
  for (const { outcomes, output } of parts) {
    for (const outcome of outcomes) {
      const slot = slots.get(outcome.line);
      slots.delete(outcome.line);
      if (!outcome.ok) {
        errors.push({
          line: outcome.line,
          ...(outcome.externalId ? { external_id: outcome.externalId } : {}),
          code: 'invalid_row',
          reason: outcome.reason,
        });
        continue;
      }
      const earlierLine = seen.get(outcome.externalId);
      const earlierRecord = earlierLine === undefined ? earlierJobs.get(outcome.externalId) : undefined;
      const earlier = earlierLine !== undefined ? { job_id: ctx.jobId, line: earlierLine } : earlierRecord;
      const replaces = earlierRecord && earlierRecord.job_id !== ctx.jobId ? expiredUnredeemedOffer(ctx, earlierRecord) : undefined;
      if (earlier && !replaces) {
        if (earlier.job_id === ctx.jobId) {
          errors.push({
            line: outcome.line,
            external_id: outcome.externalId,
            code: 'duplicate_external_id',
            reason: `external_id already appears on line ${earlier.line}`,
          });
        } else skipped++;
        continue;
      }
      seen.set(outcome.externalId, outcome.line);
      accepted.push({
        line: outcome.line,
        externalId: outcome.externalId,
        id: outcome.id ?? '',
        outcome,
        ...(outcome.output ? { output: output.subarray(outcome.output.start, outcome.output.end) } : {}),
        statusListId: slot?.listId ?? '',
        statusIdx: slot?.idx ?? -1,
        ...(replaces ? { replaces } : {}),
      });
    }
  }
  errors.sort((a, b) => a.line - b.line);
  return { accepted, errors, skipped };
}

/** Offers mode: an offer per accepted row, handed out (its line) before its row is recorded. */
function makeOffers(deps: IssuerDeps, accepted: Accepted[], ttlSeconds: number): { row: NewOffer; line: Buffer }[] {
  return accepted.map((a) => {
    const record = a.outcome.record as BatchRecord;
    const offer = prepareOffer(deps, {
      identity: record.identity,
      assuranceLevel: record.level,
      evidence: { type: record.method, method: record.method },
      proofedAt: record.proofedAt,
      sandbox: false,
      ttlSeconds,
    });
    a.id = offer.offerId;
    return { row: offer.row, line: offerLine({ externalId: a.externalId, line: a.line, ...offer }) };
  });
}

/** With `--reissue-expired`, the earlier offer when it expired without being redeemed. */
function expiredUnredeemedOffer(ctx: ChunkCommitContext, earlier: EarlierRecord): string | undefined {
  if (!ctx.reissueExpired || earlier.offer_id === null || earlier.offer_redeemed_at !== null) return undefined;
  return earlier.offer_expires_at !== null && earlier.offer_expires_at <= ctx.deps.now().getTime() ? earlier.offer_id : undefined;
}

/** The chunk's one transaction: offers or credentials, external ids, the audit entry, the checkpoint. */
function recordChunk(ctx: ChunkCommitContext, accepted: readonly Accepted[], offerRows: readonly NewOffer[], at: number): void {
  const { deps, jobId, direct, issuedAt, expiresAt } = ctx;
  deps.db
    .transaction(() => {
      const insertRecord = deps.db.prepare(
        'INSERT INTO batch_records (external_id, job_id, line, credential_id, offer_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      );
      // A reissued record moves to this job; every other external id is new (the primary key guards it).
      const moveRecord = deps.db.prepare(
        'UPDATE batch_records SET job_id = ?, line = ?, offer_id = ?, created_at = ? WHERE external_id = ? AND offer_id = ?',
      );
      const insertCredential = deps.db.prepare(
        `INSERT INTO credentials (id, offer_id, status_list_id, status_idx, holder_jwk_thumbprint, assurance_level, sandbox,
           issued_at, expires_at, batch_job_id) VALUES (?, NULL, ?, ?, ?, ?, 0, ?, ?, ?)`,
      );
      for (const row of offerRows) insertOffer(deps.db, row);
      for (const a of accepted) {
        if (direct) {
          insertCredential.run(a.id, a.statusListId, a.statusIdx, a.outcome.thumbprint, a.outcome.level, issuedAt, expiresAt, jobId);
          insertRecord.run(a.externalId, jobId, a.line, a.id, null, at);
        } else if (a.replaces) {
          if (moveRecord.run(jobId, a.line, a.id, at, a.externalId, a.replaces).changes !== 1) {
            throw new ShomeiError('conflict', `the earlier offer of line ${a.line} changed while it was being replaced`);
          }
        } else insertRecord.run(a.externalId, jobId, a.line, null, a.id, at);
      }
      const reissued = accepted.filter((a) => a.replaces);
      if (reissued.length > 0) {
        appendAuditMany(deps.db, at, [
          {
            actor: ctx.actor,
            action: 'batch.offers_reissued',
            subject: jobId,
            data: {
              batch_job: jobId,
              count: reissued.length,
              replaced_offers: reissued.map((a) => a.replaces),
              offers: reissued.map((a) => a.id),
            },
          },
        ]);
      }
      if (accepted.length > 0) {
        const records = accepted.map((a) => ({ line: a.line, id: a.id, level: a.outcome.level, method: a.outcome.method }));
        appendAuditMany(deps.db, at, [chunkAuditEvent(ctx.actor, jobId, direct, records)]);
      }
      saveCheckpoint(deps.db, ctx.state);
    })
    .immediate();
}
