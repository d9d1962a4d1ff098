// A batch's output files: what one line of each says, and how they are appended to durably and
// cut back to the last checkpoint. Deep imports only: the signing threads write credential lines.
import { closeSync, createReadStream, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, writevSync } from 'node:fs';
import { ShomeiError } from '@shomei/shared/errors';

/** The output file of each mode. */
export const OUTPUT_FILE = { direct: 'credentials.jsonl', offers: 'offers.jsonl' } as const;
export const ERRORS_FILE = 'errors.jsonl';

/** A line of errors.jsonl: a row that was refused, and why. */
export interface ErrorLine {
  line: number;
  external_id?: string;
  code: 'invalid_row' | 'duplicate_external_id';
  reason: string;
}

/**
 * A line of credentials.jsonl (direct mode), written on a signing thread. The credential is
 * base64url, '.' and '~' only and the external id is [A-Za-z0-9._:-]: only the id needs JSON
 * quoting rules, and JSON.stringify over ~3 KB per row is skipped. The line is ASCII.
 */
export function credentialLine(externalId: string, line: number, credentialId: string, credential: string): string {
  return `{"external_id":${JSON.stringify(externalId)},"line":${line},"credential_id":"${credentialId}","credential":"${credential}"}\n`;
}

/** A line of offers.jsonl (offers mode): what the person is sent, the tx_code out of band. */
export function offerLine(o: {
  externalId: string;
  line: number;
  offerId: string;
  offerUri: string;
  offerUriByReference: string;
  txCode: string;
  expiresAt: Date;
}): Buffer {
  return Buffer.from(
    `${JSON.stringify({
      external_id: o.externalId,
      line: o.line,
      offer_id: o.offerId,
      offer_uri: o.offerUri,
      // For QR codes: a short URI the wallet resolves at the issuer (GET /credential-offer/:code).
      offer_uri_by_reference: o.offerUriByReference,
      tx_code: o.txCode,
      expires_at: o.expiresAt.toISOString(),
    })}\n`,
  );
}

export function errorLine(e: ErrorLine): Buffer {
  return Buffer.from(`${JSON.stringify(e)}\n`);
}

/** Opens an output file for appending after cutting it back to the last committed size. */
export function openAtCheckpoint(path: string, committedBytes: number): number {
  if (!existsSync(path) && committedBytes > 0) {
    throw new ShomeiError('conflict', `${path} is missing but the batch checkpoint says ${committedBytes} bytes were written`);
  }
  const fd = openSync(path, existsSync(path) ? 'r+' : 'w+', 0o600);
  const size = fstatSync(fd).size;
  if (size < committedBytes) {
    closeSync(fd);
    throw new ShomeiError('conflict', `${path} is shorter than the batch checkpoint: it was changed outside the batch`);
  }
  if (size > committedBytes) {
    // Lines written for a chunk whose commit never happened: that chunk is done again.
    ftruncateSync(fd, committedBytes);
  }
  return fd;
}

/** Appends `lines` (each ending in a newline) at `size`, the file's committed length, and fsyncs; returns the new length. */
export function appendLines(fd: number, size: number, lines: readonly Uint8Array[]): number {
  if (lines.length === 0) return size;
  let at = size;
  // writev takes at most IOV_MAX (1024) buffers per call.
  for (let i = 0; i < lines.length; i += 1024) {
    const part = lines.slice(i, i + 1024);
    const want = part.reduce((n, l) => n + l.length, 0);
    const wrote = writevSync(fd, part, at);
    // A short write to a regular file means the disk is full; the checkpoint has not moved, so a
    // rerun cuts the file back and redoes this chunk.
    if (wrote !== want) throw new ShomeiError('storage_unavailable', 'could not write the batch output (disk full?)');
    at += wrote;
  }
  fsyncSync(fd);
  return at;
}

/** Lines in a file (a last line without a newline counts). */
export async function countLines(file: string): Promise<number> {
  let n = 0;
  let last = 10;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
    last = chunk[chunk.length - 1] ?? last;
  }
  return last === 10 ? n : n + 1;
}
