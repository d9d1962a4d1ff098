import { closeSync, createReadStream, existsSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { ShomeiError } from '@shomei/shared';
import type { IssuerDeps } from '../deps.js';
import { type BatchJobRow, batchJobsIdleSince } from './store.js';

/**
 * What happens to an uploaded batch's files (the upload holds identity records, offers.jsonl
 * pre-authorized codes and tx_codes, credentials.jsonl credentials): the upload is deleted once
 * the batch has run; the outputs are sealed under the key vault, each deleted once downloaded in
 * full (`deleteOnDownload`), and whatever is left `days` after the batch finished or stopped.
 */
export interface BatchRetention {
  /** Default 7 (env SHOMEI_ISSUER_BATCH_RETENTION_DAYS). */
  days: number;
  /** Default true (env SHOMEI_ISSUER_BATCH_KEEP_AFTER_DOWNLOAD=1 turns it off). */
  deleteOnDownload: boolean;
}

export const DEFAULT_BATCH_RETENTION: BatchRetention = { days: 7, deleteOnDownload: true };

export function batchRetentionFromEnv(env: Record<string, string | undefined>): BatchRetention {
  const raw = env.SHOMEI_ISSUER_BATCH_RETENTION_DAYS;
  let days = DEFAULT_BATCH_RETENTION.days;
  if (raw !== undefined && raw !== '') {
    days = Number(raw);
    if (!Number.isFinite(days) || days <= 0)
      throw new ShomeiError('invalid_request', 'SHOMEI_ISSUER_BATCH_RETENTION_DAYS must be a number of days > 0');
  }
  return { days, deleteOnDownload: env.SHOMEI_ISSUER_BATCH_KEEP_AFTER_DOWNLOAD !== '1' };
}

/** The folder uploads are written to; only jobs whose input lies in it are the issuer's to delete. */
export const uploadsDir = (dataDir: string): string => resolve(join(dataDir, 'batches'));

export function isUploadedBatch(job: BatchJobRow, dataDir: string): boolean {
  return resolve(job.input).startsWith(uploadsDir(dataDir) + sep);
}

const SEALED = '.sealed';
/** Plaintext per sealed line: large enough to keep the overhead small, small enough to stream. */
const SEAL_CHUNK_BYTES = 1024 * 1024;
const chunkAad = (jobId: string, name: string, index: number) => `batch-file:${jobId}:${name}:${index}`;

/**
 * Replaces each plain output file of a finished job by `<name>.sealed`: one line per 1 MiB of
 * plaintext, each sealed with AAD naming the job, the file and the chunk's place (so chunks
 * cannot be swapped, reordered or moved to another batch). The plain file goes once the sealed
 * one is on disk.
 */
export async function sealBatchOutputs(deps: IssuerDeps, job: BatchJobRow): Promise<void> {
  if (!existsSync(job.out_dir)) return;
  for (const name of readdirSync(job.out_dir)) {
    if (!name.endsWith('.jsonl')) continue;
    const plain = join(job.out_dir, name);
    const sealed = `${plain}${SEALED}`;
    const fd = openSync(`${sealed}.tmp`, 'w', 0o600);
    try {
      let index = 0;
      for await (const chunk of createReadStream(plain, { highWaterMark: SEAL_CHUNK_BYTES }) as AsyncIterable<Buffer>) {
        writeSync(fd, `${deps.vault.seal(chunk.toString('base64'), chunkAad(job.id, name, index++))}\n`);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(`${sealed}.tmp`, sealed);
    rmSync(plain, { force: true });
  }
}

/** The plaintext of a sealed output, chunk by chunk; undefined when there is no sealed file. */
export function readSealedOutput(deps: IssuerDeps, job: BatchJobRow, name: string): AsyncIterable<Buffer> | undefined {
  const sealed = join(job.out_dir, `${name}${SEALED}`);
  if (!existsSync(sealed)) return undefined;
  return (async function* () {
    let index = 0;
    for await (const line of createInterface({ input: createReadStream(sealed), crlfDelay: Number.POSITIVE_INFINITY })) {
      if (line) yield Buffer.from(deps.vault.unseal(line, chunkAad(job.id, name, index++)), 'base64');
    }
  })();
}

export function deleteOutput(job: BatchJobRow, name: string): void {
  rmSync(join(job.out_dir, `${name}${SEALED}`), { force: true });
  rmSync(join(job.out_dir, name), { force: true });
}

/** Deletes an uploaded batch's input and its output folder. */
export function deleteBatchFiles(job: BatchJobRow): void {
  rmSync(job.input, { force: true });
  rmSync(job.out_dir, { recursive: true, force: true });
}

/**
 * Deletes the files of uploaded batches past retention: `days` after they finished, or, for a
 * batch that stopped (the process died), after its last checkpoint. `isRunning` spares batches
 * this process is still running. Returns the ids whose files went.
 */
export async function sweepBatchFiles(deps: IssuerDeps, retention: BatchRetention, isRunning: (id: string) => boolean): Promise<string[]> {
  const cutoff = deps.now().getTime() - retention.days * 86_400_000;
  const rows = await batchJobsIdleSince(deps.sql, cutoff);
  const swept: string[] = [];
  for (const job of rows) {
    if (isRunning(job.id) || !isUploadedBatch(job, deps.dataDir)) continue;
    if (!existsSync(job.input) && !existsSync(job.out_dir)) continue;
    deleteBatchFiles(job);
    swept.push(job.id);
  }
  return swept;
}
