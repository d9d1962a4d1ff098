import { ShomeiError, type SqlExecutor } from '@shomei/shared';
import { appendAuditMany } from '../audit/append-many.js';
import type { IssuerDeps } from '../deps.js';
import { prepareOffer } from '../issuance/offers.js';
import type { StatusSlot } from '../status/allocator.js';
import { insertOffer, type NewOffer } from '../store/offers.js';
import { chunkAuditEvent } from './chunk-audit.js';
import { appendLines, type ErrorLine, errorLine, offerLine } from './outputs.js';
import type { BatchRecord } from './record.js';
import type { ChunkResult, Outcome } from './sign-item.js';
import {
  type BatchJobRow,
  type EarlierRecord,
  findBatchRecords,
  insertBatchCredentials,
  insertBatchRecords,
  moveBatchRecord,
  type NewBatchCredential,
  type NewBatchRecord,
  saveCheckpoint,
} from './store.js';

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
  /** The output and errors files, open at their checkpoint. */
  out: number;
  err: number;
  /** The job's checkpoint as committed so far; advanced by each commit. */
  state: BatchJobRow;
}

/** A row accepted for issuance. */
export interface Accepted {
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
export async function commitChunk(
  ctx: ChunkCommitContext,
  parts: readonly ChunkResult[],
  unreadable: readonly ErrorLine[],
  slots: Map<number, StatusSlot>,
  lastLine: number,
): Promise<void> {
  const { deps, state } = ctx;
  const earlierJobs = await findBatchRecords(deps.sql, okExternalIds(parts));
  const { accepted, errors, skipped } = sortOutcomes(ctx, parts, unreadable, slots, earlierJobs);
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
  await recordChunk(
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
export function sortOutcomes(
  ctx: Pick<ChunkCommitContext, 'jobId' | 'reissueExpired' | 'deps'>,
  parts: readonly ChunkResult[],
  unreadable: readonly ErrorLine[],
  slots: Map<number, StatusSlot>,
  earlierJobs: Map<string, EarlierRecord>,
): { accepted: Accepted[]; errors: ErrorLine[]; skipped: number } {
  const errors = [...unreadable];
  const accepted: Accepted[] = [];
  const seen = new Map<string, number>();
  let skipped = 0;
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

/** The external ids of a chunk's valid rows, to look up their earlier records. */
export function okExternalIds(parts: readonly ChunkResult[]): string[] {
  return parts.flatMap((part) => part.outcomes.flatMap((o) => (o.ok ? [o.externalId] : [])));
}

/** Offers mode: an offer per accepted row, handed out (its line) before its row is recorded. */
export function makeOffers(deps: IssuerDeps, accepted: Accepted[], ttlSeconds: number): { row: NewOffer; line: Buffer }[] {
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
function expiredUnredeemedOffer(ctx: Pick<ChunkCommitContext, 'reissueExpired' | 'deps'>, earlier: EarlierRecord): string | undefined {
  if (!ctx.reissueExpired || earlier.offer_id === null || earlier.offer_redeemed_at !== null) return undefined;
  return earlier.offer_expires_at !== null && earlier.offer_expires_at <= ctx.deps.now().getTime() ? earlier.offer_id : undefined;
}

/** The chunk's one transaction: offers or credentials, external ids, the audit entry, the checkpoint. */
async function recordChunk(
  ctx: ChunkCommitContext,
  accepted: readonly Accepted[],
  offerRows: readonly NewOffer[],
  at: number,
): Promise<void> {
  await ctx.deps.sql.transaction(async (tx) => {
    await recordIssued(tx, ctx, accepted, offerRows, at);
    await saveCheckpoint(tx, ctx.state);
  });
}

/**
 * Records a chunk's accepted rows inside the caller's transaction: the offers or credentials, the
 * external ids (a reissued record moves to this job; every other id is new, the primary key
 * guards it) and the chunk's audit entries.
 */
export async function recordIssued(
  tx: SqlExecutor,
  ctx: Pick<ChunkCommitContext, 'jobId' | 'direct' | 'issuedAt' | 'expiresAt' | 'actor'>,
  accepted: readonly Accepted[],
  offerRows: readonly NewOffer[],
  at: number,
): Promise<void> {
  const { jobId, direct, issuedAt, expiresAt } = ctx;
  for (const row of offerRows) await insertOffer(tx, row);
  const credentials: NewBatchCredential[] = [];
  const records: NewBatchRecord[] = [];
  for (const a of accepted) {
    const record = { externalId: a.externalId, jobId, line: a.line, at };
    if (direct) {
      credentials.push({
        id: a.id,
        statusListId: a.statusListId,
        statusIdx: a.statusIdx,
        thumbprint: a.outcome.thumbprint as string,
        level: a.outcome.level,
        issuedAt,
        expiresAt,
        jobId,
      });
      records.push({ ...record, credentialId: a.id, offerId: null });
    } else if (a.replaces) {
      if (!(await moveBatchRecord(tx, { ...record, credentialId: null, offerId: a.id, replaces: a.replaces }))) {
        throw new ShomeiError('conflict', `the earlier offer of line ${a.line} changed while it was being replaced`);
      }
    } else records.push({ ...record, credentialId: null, offerId: a.id });
  }
  await insertBatchCredentials(tx, credentials);
  await insertBatchRecords(tx, records);
  const reissued = accepted.filter((a) => a.replaces);
  if (reissued.length > 0) {
    await appendAuditMany(tx, at, [
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
    await appendAuditMany(tx, at, [chunkAuditEvent(ctx.actor, jobId, direct, records)]);
  }
}
