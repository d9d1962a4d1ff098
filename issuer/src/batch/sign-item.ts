// Deep imports keep the worker threads light: no Veramo, SQLite or protocol code is loaded there.
import type { KeyObject } from 'node:crypto';
import { isP256Point, jwkThumbprint, type PublicJwk } from '@shomei/shared/crypto';
import { ShomeiError } from '@shomei/shared/errors';
import { issueSdJwtVcFast, type SdAlg } from '@shomei/shared/sd-jwt-vc/fast';
import { identityCredentialInput } from '../issuance/identity-credential.js';
import { timeOrderedId } from '../store/time-ordered-id.js';
import { credentialLine } from './outputs.js';
import type { BatchFormat } from './reader.js';
import { type BatchRecord, csvRow, validateRow } from './record.js';

/** One row to process: where its bytes are in the part's buffer. */
export interface WorkItem {
  line: number;
  start: number;
  end: number;
  /** Direct mode: the status slot reserved for this row (left unused if the row is refused). */
  statusIdx?: number;
  statusUri?: string;
}

/** A thread's share of a chunk: the rows' raw bytes (decoded and parsed on the thread) and where each row is. */
export interface WorkPart {
  format: BatchFormat;
  /** CSV: the header's column positions. */
  header?: [string, number][];
  bytes: Uint8Array;
  items: WorkItem[];
}

export interface SignContext {
  mode: 'direct' | 'offers';
  issuer: string;
  kid: string;
  privateKey?: KeyObject;
  issuedAt: number;
  expiresAt: number;
  /** The credentials' `_sd_alg` (settings.sdAlg; default sha-256). */
  sdAlg?: SdAlg;
}

export type Outcome =
  | {
      ok: true;
      line: number;
      externalId: string;
      level: BatchRecord['level'];
      method: BatchRecord['method'];
      /** Direct mode: the signed credential and its holder key's RFC 7638 thumbprint. */
      credential?: string;
      thumbprint?: string;
      /** Direct mode, after `processChunk`: the credential's id and its output line's byte range. */
      id?: string;
      output?: { start: number; end: number };
      /** Offers mode: the validated record, to make the offer from. */
      record?: BatchRecord;
    }
  | { ok: false; line: number; externalId?: string; reason: string };

/** A chunk's outcomes, and (direct mode) the output lines of its signed rows as UTF-8 bytes. */
export interface ChunkResult {
  outcomes: Outcome[];
  output: Uint8Array;
}

/**
 * Processes a chunk of rows and, in direct mode, writes each signed row's output line into one
 * buffer, dropping the credential string: the buffer crosses back to the batch thread by transfer
 * (no copy), which appends the lines of the rows it accepts as they are. Sending the credentials
 * as strings instead cost the batch thread a structured-clone copy, a join and a UTF-8 encode of
 * ~3 KB per row, a third of its time.
 */
export function processChunk(ctx: SignContext, part: WorkPart, spare?: ArrayBuffer): ChunkResult {
  const { items } = part;
  const bytes = Buffer.from(part.bytes.buffer, part.bytes.byteOffset, part.bytes.byteLength);
  const header = part.header ? new Map(part.header) : undefined;
  // A buffer over its own ArrayBuffer (never Node's shared pool), so that it can be transferred.
  // A spare one handed back by the batch thread is reused: fresh memory costs a page fault and
  // zeroing per 4 KiB, about one per credential.
  const ownBuffer = (size: number) => Buffer.from(spare && spare.byteLength >= size ? spare : new ArrayBuffer(size));
  let output = ownBuffer(ctx.mode === 'direct' ? items.length * 4096 : 0);
  let at = 0;
  const outcomes = items.map((item) => {
    const outcome = processItem(ctx, item, parseRow(part.format, bytes.toString('utf8', item.start, item.end), header));
    if (!outcome.ok || outcome.credential === undefined) return outcome;
    const id = timeOrderedId();
    // The line is ASCII (see credentialLine), so one byte per character, and written as latin1,
    // which copies the string's pieces straight into the buffer (UTF-8 would first join them into
    // a new 3 KB string).
    const line = credentialLine(outcome.externalId, outcome.line, id, outcome.credential);
    if (at + line.length > output.length) {
      const grown = ownBuffer(Math.max(output.length * 2, at + line.length));
      output.copy(grown, 0, 0, at);
      output = grown;
    }
    const start = at;
    at += output.write(line, at, 'latin1');
    const { credential: _sent, ...rest } = outcome;
    return { ...rest, id, output: { start, end: at } };
  });
  return { outcomes, output: output.subarray(0, at) };
}

/** A row's JSON value, or why it could not be read. */
type ParsedRow = { ok: true; value: unknown } | { ok: false; reason: string };

function parseRow(format: BatchFormat, text: string, header: Map<string, number> | undefined): ParsedRow {
  if (format === 'jsonl') {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch {
      return { ok: false, reason: 'row is not valid JSON' };
    }
  }
  try {
    return { ok: true, value: csvRow(text, header as Map<string, number>) };
  } catch (e) {
    return { ok: false, reason: e instanceof ShomeiError ? e.message : 'unreadable row' };
  }
}

/**
 * Validates and (direct mode) signs one parsed row. Runs on the signing threads, so that all the
 * per-row work but the bookkeeping is spread over the cores; refusals come back as outcomes.
 */
export function processItem(ctx: SignContext, item: WorkItem, parsed: ParsedRow): Outcome {
  if (!parsed.ok) return { ok: false, line: item.line, reason: parsed.reason };
  const raw = parsed.value;
  const claimedId = (raw as { external_id?: unknown } | null)?.external_id;
  const externalId = typeof claimedId === 'string' && claimedId.length <= 128 ? claimedId : undefined;
  const refuse = (reason: string): Outcome => ({ ok: false, line: item.line, ...(externalId ? { externalId } : {}), reason });
  let record: BatchRecord;
  try {
    record = validateRow(raw, ctx.mode === 'direct', new Date(ctx.issuedAt));
  } catch (e) {
    return refuse(e instanceof ShomeiError ? e.message : 'invalid row');
  }
  const base = { ok: true as const, line: item.line, externalId: record.externalId, level: record.level, method: record.method };
  if (ctx.mode === 'offers') return { ...base, record };
  const jwk = record.holderJwk as PublicJwk;
  if (!isP256Point(jwk.x ?? '', jwk.y ?? '')) return refuse('holder_jwk is not a valid P-256 public key');
  return { ...base, credential: signRecord(ctx, record, item), thumbprint: jwkThumbprint(jwk) };
}

function signRecord(ctx: SignContext, record: BatchRecord, item: WorkItem): string {
  return issueSdJwtVcFast(
    { kid: ctx.kid, privateKey: ctx.privateKey as KeyObject },
    identityCredentialInput({
      issuer: ctx.issuer,
      identity: record.identity,
      // A batch row names one proofing method: it is both the evidence's type and its method.
      proofing: { level: record.level, evidenceType: record.method, evidenceMethod: record.method, proofedAt: record.proofedAt.getTime() },
      holderJwk: record.holderJwk as PublicJwk,
      status: { idx: item.statusIdx as number, uri: item.statusUri as string },
      issuedAt: new Date(ctx.issuedAt),
      expiresAt: new Date(ctx.expiresAt),
      sdAlg: ctx.sdAlg ?? 'sha-256',
    }),
  );
}
