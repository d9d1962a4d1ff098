import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Job, ShomeiError } from '@shomei/shared';
import { bearerToken } from '@shomei/shared/http-server';
import { type Context, Hono } from 'hono';
import { authenticateAdmin } from '../admin/tokens.js';
import type { IssuerDeps } from '../deps.js';
import { batchFileSweepJob } from '../jobs/batch-file-sweep.js';
import { type BatchMode, batchOfferDays, runBatch } from './engine.js';
import {
  type BatchRetention,
  batchRetentionFromEnv,
  deleteBatchFiles,
  deleteOutput,
  isUploadedBatch,
  readSealedOutput,
  sealBatchOutputs,
} from './retention.js';
import { findBatchJob, findBatchJobByInput } from './store.js';

/** The largest batch file an operator may upload (a million rows is ~700 MB of JSONL). */
export const MAX_BATCH_UPLOAD_BYTES = 1024 * 1024 * 1024;
const NO_STORE = { 'cache-control': 'no-store' };

interface Running {
  error?: { code: string; message: string };
  /** True once the batch has stopped and its outputs are sealed. */
  done: boolean;
}

/**
 * Batch issuance for remote operators (scope `issue`): upload a CSV or JSONL file, the issuer runs
 * it in the background (the same engine and exactly-once bookkeeping as `shomei-issuer batch`),
 * and the operator polls its progress and downloads the outputs. The retention sweep is a job the
 * server schedules; it must live here, beside the batches this process is running.
 */
export function batchRoutes(
  deps: IssuerDeps,
  dataDir: string,
  retention: BatchRetention = batchRetentionFromEnv(process.env),
): { routes: Hono; jobs: Job[] } {
  const app = new Hono();
  const running = new Map<string, Running>();
  const admin = (c: Context) => authenticateAdmin(deps.sql, bearerToken(c), 'issue');
  const isRunning = (id: string) => running.get(id)?.done === false;
  const fileSweep = batchFileSweepJob(deps, retention, isRunning);
  // Every batch request also sweeps (before answering), so that retention holds by the injected clock as well.
  app.use('/v1/admin/batches/*', async (_c, next) => {
    await fileSweep.run();
    await next();
  });

  app.post('/v1/admin/batches', async (c) => {
    await admin(c);
    const mode = c.req.query('mode') ?? 'offers';
    if (mode !== 'offers' && mode !== 'direct') throw new ShomeiError('invalid_request', 'mode must be offers or direct');
    const offerDays = batchOfferDays(c.req.query('offer_days'));
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim();
    const ext = type === 'text/csv' ? 'csv' : type === 'application/x-ndjson' || type === 'application/jsonl' ? 'jsonl' : undefined;
    if (!ext) throw new ShomeiError('unsupported_media_type', 'send the batch as text/csv or application/x-ndjson');
    const body = c.req.raw.body;
    if (!body) throw new ShomeiError('invalid_request', 'the request has no body');

    const file = join(dataDir, 'batches', `${randomUUID()}.${ext}`);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    let bytes = 0;
    try {
      await pipeline(
        Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>),
        async function* limit(source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            bytes += chunk.length;
            if (bytes > MAX_BATCH_UPLOAD_BYTES)
              throw new ShomeiError('payload_too_large', `batch files are limited to ${MAX_BATCH_UPLOAD_BYTES} bytes`);
            yield chunk;
          }
        },
        createWriteStream(file, { mode: 0o600 }),
      );
    } catch (e) {
      rmSync(file, { force: true });
      throw e;
    }

    const state: Running = { done: false };
    // The job id is known only once the engine has opened the job: report it through a promise.
    // A batch refused before its first chunk (a bad CSV header, say) rejects it: the upload then
    // answers with that error instead of waiting for an id that never comes.
    let announce: (id: string) => void = () => {};
    let refuse: (e: unknown) => void = () => {};
    const jobId = new Promise<string>((resolve, reject) => {
      announce = resolve;
      refuse = reject;
    });
    runBatch(deps, {
      file,
      mode: mode as BatchMode,
      offerDays,
      workers: availableParallelism(),
      chunkSize: 500,
      onProgress: (p) => {
        running.set(p.jobId, state);
        announce(p.jobId);
      },
    })
      .then((summary) => {
        running.set(summary.jobId, state);
        announce(summary.jobId);
      })
      .catch((e: unknown) => {
        state.error = e instanceof ShomeiError ? { code: e.code, message: e.message } : { code: 'internal', message: 'the batch failed' };
        deps.log(`batch from upload failed: ${state.error.code}`);
        refuse(e);
      })
      .then(() => closeUpload(file))
      .finally(() => {
        state.done = true;
      });
    let id: string;
    try {
      id = await jobId;
    } catch (e) {
      rmSync(file, { force: true });
      throw e;
    }
    deps.log(`batch ${id} uploaded (${bytes} bytes, ${mode}); its files are deleted once downloaded or after ${retention.days} days`);
    return c.json({ id, mode, status: 'running', progress: `/v1/admin/batches/${id}` }, 202, NO_STORE);
  });

  app.get('/v1/admin/batches/:id', async (c) => {
    await admin(c);
    const job = await findBatchJob(deps.sql, c.req.param('id'));
    if (!job) throw new ShomeiError('not_found', 'no such batch');
    const run = running.get(job.id);
    // `done` only once the outputs are sealed: until then a download would get the plain files.
    const status = run && !run.done ? 'running' : job.finished_at !== null ? 'done' : run?.error ? 'failed' : 'interrupted';
    return c.json(
      {
        id: job.id,
        mode: job.mode,
        status,
        line: job.next_line - 1,
        total_lines: job.total_lines,
        issued: job.issued,
        skipped: job.skipped,
        errors: job.errors,
        started_at: new Date(job.started_at).toISOString(),
        finished_at: job.finished_at === null ? null : new Date(job.finished_at).toISOString(),
        ...(run?.error ? { error: run.error } : {}),
      },
      200,
      NO_STORE,
    );
  });

  /** Once an uploaded batch has stopped: its upload is deleted (it holds the identity records) and its outputs are sealed. */
  async function closeUpload(file: string): Promise<void> {
    rmSync(file, { force: true });
    const job = await findBatchJobByInput(deps.sql, file);
    if (!job) return;
    try {
      await sealBatchOutputs(deps, job);
    } catch (e) {
      deps.log(`batch ${job.id}: sealing its outputs failed (${e instanceof Error ? e.name : 'error'})`);
    }
  }

  // The outputs: offers.jsonl holds tx_codes and credentials.jsonl credentials, hence scope `issue`.
  app.get('/v1/admin/batches/:id/:file{output|errors}', async (c) => {
    const principal = await admin(c);
    const job = await findBatchJob(deps.sql, c.req.param('id'));
    if (!job) throw new ShomeiError('not_found', 'no such batch');
    const name = c.req.param('file') === 'errors' ? 'errors.jsonl' : job.mode === 'direct' ? 'credentials.jsonl' : 'offers.jsonl';
    const sealed = readSealedOutput(deps, job, name);
    if (sealed) {
      // Deleted only once the whole file has gone out: a broken download can be retried.
      const body = async function* () {
        yield* sealed;
        if (!retention.deleteOnDownload) return;
        deleteOutput(job, name);
        await deps.audit({
          actor: principal.actor,
          action: 'batch.files_deleted',
          subject: job.id,
          data: { reason: 'downloaded', file: name },
        });
      };
      return new Response(Readable.toWeb(Readable.from(body())) as ReadableStream, {
        headers: { 'content-type': 'application/x-ndjson', ...NO_STORE },
      });
    }
    // A batch still running (its outputs so far), or one the CLI ran: plain files.
    const path = join(job.out_dir, name);
    if (!existsSync(path))
      throw new ShomeiError('not_found', 'no such output: not written yet, or deleted (downloaded, or past retention)');
    return new Response(Readable.toWeb(createReadStream(path)) as ReadableStream, {
      headers: { 'content-type': 'application/x-ndjson', ...NO_STORE },
    });
  });

  app.delete('/v1/admin/batches/:id', async (c) => {
    const principal = await admin(c);
    const job = await findBatchJob(deps.sql, c.req.param('id'));
    if (!job) throw new ShomeiError('not_found', 'no such batch');
    if (!isUploadedBatch(job, dataDir)) {
      throw new ShomeiError(
        'invalid_request',
        "this batch ran from the operator's own folder (shomei-issuer batch): delete its files there",
      );
    }
    if (isRunning(job.id)) throw new ShomeiError('conflict', 'the batch is still running');
    deleteBatchFiles(job);
    await deps.audit({ actor: principal.actor, action: 'batch.files_deleted', subject: job.id, data: { reason: 'operator' } });
    deps.log(`batch ${job.id}: files deleted by the operator`);
    return c.body(null, 204);
  });

  return { routes: app, jobs: [fileSweep] };
}
