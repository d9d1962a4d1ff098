import { parentPort, workerData } from 'node:worker_threads';
import { type ErrorCode, type SdAlg, ShomeiError } from '@shomei/shared';
import { openIssuerDeps } from '../deps.js';
import { type BatchOptions, type BatchProgress, type BatchSummary, runBatch } from './engine.js';
import { runBatchWorker } from './worker.js';

/**
 * The batch itself runs on this thread, started by `shomei-issuer batch` with a capped heap
 * (Worker resourceLimits): V8 otherwise grows the heap far past what a batch keeps live (one or two
 * chunks) on a machine with plenty of memory. The CLI thread only renders progress.
 */
export interface RunWorkerData {
  dbFile: string;
  /** Where uploads and batch files live (the `--data` folder). */
  dataDir: string;
  secret: string;
  baseUrl: string;
  /** The signed credentials' `_sd_alg` (--mode direct). */
  sdAlg: SdAlg;
  options: Omit<BatchOptions, 'onProgress'>;
  /** `--worker`: one of several processes sharing the job by chunks (batch/worker.ts). */
  shared?: boolean;
}

export type RunWorkerMessage =
  | { type: 'progress'; progress: BatchProgress }
  | { type: 'log'; line: string }
  | { type: 'done'; summary: BatchSummary }
  | { type: 'failed'; code: ErrorCode; message: string };

const post = (msg: RunWorkerMessage) => parentPort?.postMessage(msg);
const data = workerData as RunWorkerData;
try {
  const deps = await openIssuerDeps({
    dbFile: data.dbFile,
    dataDir: data.dataDir,
    maxConnections: 4,
    secret: data.secret,
    baseUrl: data.baseUrl,
    settings: { sdAlg: data.sdAlg },
    log: (line) => post({ type: 'log', line }),
  });
  try {
    const options = { ...data.options, onProgress: (progress: BatchProgress) => post({ type: 'progress', progress }) };
    const summary = await (data.shared ? runBatchWorker(deps, options) : runBatch(deps, options));
    post({ type: 'done', summary });
  } finally {
    await deps.sql.close();
  }
} catch (e) {
  // A ShomeiError's class does not survive the thread boundary: send its code and message.
  if (e instanceof ShomeiError) post({ type: 'failed', code: e.code, message: e.message });
  else throw e;
}
