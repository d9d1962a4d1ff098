import { hash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ErrorCode, isShomeiError, ShomeiError } from '@shomei/shared';
import type { IssuerDeps } from '../deps.js';
import { readMultipartFiles } from '../http/multipart.js';
import { type ApplicationRow, countRefusedUpload, filesOf, markFilesDeleted, transition, upsertFile } from './store.js';

/** The images a document (eKYC) application needs: the photo ID and a live selfie. */
export const DOCUMENT_KINDS = ['id_document', 'selfie'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

const MEDIA_TYPES: Record<string, (b: Uint8Array) => boolean> = {
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => Buffer.from(b.subarray(0, 8)).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
};

export interface Upload {
  kind: DocumentKind;
  /** The declared content type of the part. */
  type: string;
  bytes: Uint8Array;
}

/** Checks size and type (declared and by content) of one upload. */
export function checkUpload(upload: Upload, maxBytes: number): void {
  if (upload.bytes.byteLength > maxBytes) {
    throw new ShomeiError('payload_too_large', `${upload.kind} is larger than ${maxBytes} bytes`);
  }
  if (upload.bytes.byteLength === 0) throw new ShomeiError('invalid_request', `${upload.kind} is empty`);
  // Own keys only: a declared type such as `valueOf` must not reach Object.prototype.
  const sniff = Object.hasOwn(MEDIA_TYPES, upload.type) ? MEDIA_TYPES[upload.type] : undefined;
  if (!sniff) throw new ShomeiError('unsupported_media_type', `${upload.kind} must be image/jpeg or image/png`);
  if (!sniff(upload.bytes)) throw new ShomeiError('unsupported_media_type', `${upload.kind} is not a ${upload.type} image`);
}

function fileAad(applicationId: string, kind: string): string {
  return `file:${applicationId}:${kind}`;
}

/** Refused uploads an application takes before it is closed: a secret that keeps failing is not retried forever. */
export const MAX_REFUSED_UPLOADS = 5;

/** Codes of an upload refused for what it is (shape, size, type); they count against the application. */
const UPLOAD_REFUSALS: readonly ErrorCode[] = ['invalid_request', 'payload_too_large', 'unsupported_media_type'];

/**
 * `POST /v1/applications/:id/documents`: reads the multipart body as a stream (stopping at the
 * first extra part or byte), checks the two images and stores them. Each refused upload counts
 * against the application; the MAX_REFUSED_UPLOADS-th closes it as refused.
 */
export async function receiveDocuments(deps: IssuerDeps, row: ApplicationRow, request: Request): Promise<void> {
  requireAwaitingDocuments(row);
  let uploads: Upload[];
  try {
    const files = await readMultipartFiles(request, {
      fields: DOCUMENT_KINDS,
      maxParts: DOCUMENT_KINDS.length,
      maxFileBytes: deps.settings.maxUploadBytes,
    });
    uploads = files.map((f) => ({ kind: f.field as DocumentKind, type: f.type, bytes: f.bytes }));
    checkUploads(deps, uploads);
  } catch (e) {
    if (isShomeiError(e) && UPLOAD_REFUSALS.includes(e.code)) throw await refusedUpload(deps, row, e);
    throw e;
  }
  await submitDocuments(deps, row, uploads);
}

function requireAwaitingDocuments(row: ApplicationRow): void {
  if (row.method !== 'document' || row.state !== 'awaiting_documents') {
    throw new ShomeiError('application_state', `the application is ${row.state} and takes no documents`);
  }
}

function checkUploads(deps: IssuerDeps, uploads: Upload[]): void {
  for (const kind of DOCUMENT_KINDS) {
    if (uploads.filter((u) => u.kind === kind).length !== 1)
      throw new ShomeiError('invalid_request', `exactly one ${kind} image is required`);
  }
  for (const u of uploads) checkUpload(u, deps.settings.maxUploadBytes);
}

/** Counts a refused upload; the error to answer with says how many tries are left. */
async function refusedUpload(deps: IssuerDeps, row: ApplicationRow, e: ShomeiError): Promise<ShomeiError> {
  const at = deps.now().getTime();
  const { refused, closed } = await countRefusedUpload(deps.sql, row.id, MAX_REFUSED_UPLOADS, at);
  await deps.audit({
    actor: `applicant:${row.id}`,
    action: 'application.upload_refused',
    subject: row.id,
    data: { code: e.code, refused },
  });
  if (closed) {
    await deps.audit({
      actor: 'system',
      action: 'application.refused',
      subject: row.id,
      data: { method: 'document', code: 'too_many_refused_uploads' },
    });
    return new ShomeiError('application_state', `${e.message}; after ${MAX_REFUSED_UPLOADS} refused uploads the application is closed`, {
      details: { attempts_left: 0 },
    });
  }
  return new ShomeiError(e.code, e.message, { details: { attempts_left: MAX_REFUSED_UPLOADS - refused } });
}

/**
 * Stores the photo ID and the selfie (sealed under the key vault, one file each) and puts the
 * application in the review queue. Only their digests stay once a decision is made. Two uploads
 * at once to one application: each writes its own temporary files, and only the one that wins
 * the state change moves them into place and records them, so the files, the rows and the
 * audit entry are always the same upload.
 */
export async function submitDocuments(deps: IssuerDeps, row: ApplicationRow, uploads: Upload[]): Promise<void> {
  requireAwaitingDocuments(row);
  checkUploads(deps, uploads);
  const dir = join(deps.proofing.uploadsDir, row.id);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const attempt = randomUUID();
  const staged = uploads.map((u) => {
    const path = join(dir, `${u.kind}.sealed`);
    const temporary = `${path}.${attempt}.tmp`;
    writeFileSync(temporary, deps.vault.seal(Buffer.from(u.bytes).toString('base64'), fileAad(row.id, u.kind)), { mode: 0o600 });
    return { upload: u, path, temporary, sha256: hash('sha256', u.bytes, 'hex') };
  });
  const won = await deps.sql.transaction(async (tx) => {
    if (!(await transition(tx, row.id, ['awaiting_documents'], deps.now().getTime(), { state: 'pending_review' }))) return false;
    for (const { upload: u, path, sha256 } of staged) {
      await upsertFile(tx, { application_id: row.id, kind: u.kind, media_type: u.type, size: u.bytes.byteLength, sha256, path });
    }
    return true;
  });
  if (!won) {
    for (const { temporary } of staged) rmSync(temporary, { force: true });
    throw new ShomeiError('application_state', 'the application changed meanwhile');
  }
  for (const { path, temporary } of staged) renameSync(temporary, path);
  await deps.audit({
    actor: `applicant:${row.id}`,
    action: 'application.submitted',
    subject: row.id,
    data: { method: 'document', images: Object.fromEntries(staged.map((s) => [s.upload.kind, s.sha256])) },
  });
}

/** One stored image, for the reviewing operator. */
export async function readApplicationImage(
  deps: IssuerDeps,
  applicationId: string,
  kind: string,
): Promise<{ type: string; bytes: Buffer }> {
  const file = (await filesOf(deps.sql, applicationId)).find((f) => f.kind === kind);
  if (!file?.path) throw new ShomeiError('not_found', 'no such image (or it was deleted after the decision)');
  const b64 = deps.vault.unseal(readFileSync(file.path, 'utf8'), fileAad(applicationId, kind));
  return { type: file.media_type, bytes: Buffer.from(b64, 'base64') };
}

/** Deletes an application's images from disk; their digests stay in the table and the audit log. */
export async function deleteApplicationImages(deps: IssuerDeps, applicationId: string): Promise<void> {
  const files = await filesOf(deps.sql, applicationId);
  for (const f of files) if (f.path) rmSync(f.path, { force: true });
  if (files.length > 0) rmSync(join(deps.proofing.uploadsDir, applicationId), { recursive: true, force: true });
  await markFilesDeleted(deps.sql, applicationId, deps.now().getTime());
}
