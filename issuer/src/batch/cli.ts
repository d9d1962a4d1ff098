import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ShomeiError } from '@shomei/shared';
import type { Command } from 'commander';
import { ENV, parseSdAlg, resolveServeConfig } from '../config.js';
import {
  type BatchMode,
  type BatchProgress,
  type BatchSummary,
  batchOfferDays,
  DEFAULT_BATCH_OFFER_DAYS,
  MAX_BATCH_OFFER_DAYS,
} from './engine.js';
import { sizeHeapsForBatch } from './heap.js';
import { progressReporter } from './progress.js';
import type { RunWorkerData, RunWorkerMessage } from './run-worker.js';

interface BatchFlags {
  mode: BatchMode;
  data: string;
  database?: string;
  publicUrl?: string;
  out?: string;
  workers?: string;
  chunk?: string;
  secretFile?: string;
  sdAlg?: string;
  offerDays?: string;
  reissueExpired?: boolean;
  worker?: boolean;
  json?: boolean;
}

/** `shomei-issuer batch <file>`: offers or signed credentials for a whole customer base. */
export function registerBatchCommand(program: Command): void {
  program
    .command('batch')
    .argument('<file>', 'records as .csv (with a header) or .jsonl')
    .description('issue for many already-proved people at once: offers to deliver, or credentials bound to given holder keys')
    .option('--mode <mode>', 'offers: a credential offer + tx_code per record; direct: signed SD-JWT VCs bound to holder_jwk', 'offers')
    .option('--data <dir>', `issuer data directory (env ${ENV.data})`, process.env[ENV.data] ?? './.data/issuer')
    .option(
      '--database <url|file>',
      `PostgreSQL URL that --worker processes share, or a SQLite file (env ${ENV.database}; default <data>/issuer.db)`,
    )
    .option('--public-url <url>', `the issuer's public URL, the credentials' iss (env ${ENV.publicUrl}; required)`)
    .option('--out <dir>', 'output folder (default <file>.out)')
    .option('--workers <n>', 'signing threads (default: one per core)')
    .option('--chunk <n>', 'rows per checkpoint', '2000')
    .option(
      '--offer-days <n>',
      `--mode offers: days each offer may be redeemed, 1–${MAX_BATCH_OFFER_DAYS} (default ${DEFAULT_BATCH_OFFER_DAYS})`,
    )
    .option('--secret-file <path>', `file holding the key-vault secret (else env ${ENV.secret})`)
    .option('--sd-alg <name>', `--mode direct: the credentials' disclosure digest, their _sd_alg (env ${ENV.sdAlg}; default sha-256)`)
    .option('--reissue-expired', '--mode offers: records whose earlier offer expired unredeemed get a new one (audited); needs a new --out')
    .option(
      '--worker',
      'share the job with other `batch --worker` processes on the same database (this host or others): each claims chunks until none is left',
    )
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
Each row: external_id, the identity (family_name, given_name, family_name_kana, given_name_kana, birthdate,
gender, postal_code, region, locality, street_address, phone_number?), proofing_method (jpki | document |
document_upload | self_declared | reliance), assurance_level (IAL1-3, at most what the method allows),
proofed_at (ISO time) and, for --mode direct, holder_jwk (a P-256 public JWK). JSONL rows:
{"external_id","identity":{…},"proofing":{"method","assurance_level","time"},"holder_jwk"?}.

With --worker, several processes share one job (start the same command on each; they must see the
same input file and --out folder, e.g. on a shared directory): each claims chunks of --chunk rows,
and a chunk whose worker died is redone by another after 30 s. The output files are written once
every chunk is done.

Bad rows go to <out>/errors.jsonl with their line number and reason; the batch goes on. Issuance is
idempotent by external_id and exactly-once across crashes: run the same command again to resume.
Output: <out>/offers.jsonl (offer_uri, offer_uri_by_reference for QR codes, tx_code: deliver them, then delete the file) or
<out>/credentials.jsonl, and <out>/summary.json. Exit codes: 0 done (even with bad rows), 1 failure.

Examples:
  SHOMEI_ISSUER_SECRET=… ${program.name()} batch customers.csv --public-url https://issuer.example.jp
  SHOMEI_ISSUER_SECRET=… ${program.name()} batch letters.csv --offer-days 60 --public-url https://issuer.example.jp
  SHOMEI_ISSUER_SECRET=… ${program.name()} batch letters.csv --reissue-expired --out letters-2.out --public-url https://issuer.example.jp
  SHOMEI_ISSUER_SECRET=… ${program.name()} batch wallets.jsonl --mode direct --public-url https://issuer.example.jp --workers 2`,
    )
    .action(async (file: string, flags: BatchFlags) => {
      if (flags.mode !== 'offers' && flags.mode !== 'direct') throw new ShomeiError('invalid_request', '--mode must be offers or direct');
      const publicUrl = flags.publicUrl ?? process.env[ENV.publicUrl];
      if (!publicUrl)
        throw new ShomeiError('invalid_request', `--public-url (or ${ENV.publicUrl}) is required: it becomes the credentials' iss`);
      const workers = flags.workers === undefined ? availableParallelism() : Number(flags.workers);
      const chunkSize = Number(flags.chunk);
      if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new ShomeiError('invalid_request', '--workers must be 0–64');
      if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 100_000)
        throw new ShomeiError('invalid_request', '--chunk must be 1–100000');
      const offerDays = batchOfferDays(flags.offerDays);
      const progress = progressReporter(process.stderr);
      const summary = await runInWorker(
        {
          dbFile: flags.database ?? process.env[ENV.database] ?? join(resolve(flags.data), 'issuer.db'),
          dataDir: resolve(flags.data),
          secret: resolveServeConfig(flags.secretFile === undefined ? {} : { secretFile: flags.secretFile }, process.env).secret,
          baseUrl: publicUrl,
          sdAlg: parseSdAlg(flags.sdAlg ?? process.env[ENV.sdAlg] ?? 'sha-256'),
          options: {
            file,
            mode: flags.mode,
            ...(flags.out ? { outDir: flags.out } : {}),
            workers,
            chunkSize,
            offerDays,
            reissueExpired: flags.reissueExpired === true,
          },
          shared: flags.worker === true,
        },
        (p) => progress.update(p),
      );
      progress.done();
      const usage = process.resourceUsage();
      const peakRssMb = Math.round(usage.maxRSS / 1024);
      // CPU of every thread of the process over wall time: how many cores the batch kept busy.
      const coresUsed = (usage.userCPUTime + usage.systemCPUTime) / 1e6 / Math.max(process.uptime(), 0.001);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ ...summary, peakRssMb, coresUsed: Number(coresUsed.toFixed(2)) }, null, 2)}\n`);
      } else if (summary.alreadyComplete) {
        process.stdout.write(`Batch already complete: issued ${summary.issued}, skipped ${summary.skipped}, errors ${summary.errors}.\n`);
      } else {
        const rate = Math.round(summary.issued / Math.max(summary.seconds, 0.001));
        process.stdout.write(
          `Batch ${summary.resumed ? 'resumed and ' : ''}complete in ${summary.seconds.toFixed(1)} s: issued ${summary.issued} (${rate}/s), ` +
            `already issued before ${summary.skipped}, errors ${summary.errors}${summary.errors ? ` (see ${summary.errorsFile})` : ''}.\n` +
            `Output: ${summary.output}\n${offerLifetime(summary)}${deleteAdvice(summary.mode)}\nPeak RSS: ${peakRssMb} MB, cores used: ${coresUsed.toFixed(2)}\n`,
        );
      }
    });
}

/** Offers mode: when the letters' offers stop working, so that the operator can plan the post. */
function offerLifetime(summary: BatchSummary): string {
  if (summary.offerDays === undefined) return '';
  return `Each offer may be redeemed for ${summary.offerDays} day(s) after it was written (--offer-days).\n`;
}

/** The files in the operator's folder hold secrets and identity data: nothing deletes them but the operator. */
function deleteAdvice(mode: 'offers' | 'direct'): string {
  const what =
    mode === 'offers'
      ? 'It holds each pre-authorized code with its tx_code: deliver them, then delete it at once'
      : 'It holds the issued credentials: hand them over, then delete it';
  return `${what}; delete the input file too once no rerun is needed (it holds the identity records).`;
}

/** Runs the batch on a worker thread with a bounded heap; resolves with its summary. */
function runInWorker(data: RunWorkerData, onProgress: (p: BatchProgress) => void): Promise<BatchSummary> {
  sizeHeapsForBatch();
  return new Promise((resolveSummary, reject) => {
    const worker = new Worker(new URL('./run-worker.js', import.meta.url), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
    });
    let summary: BatchSummary | undefined;
    let failure: ShomeiError | undefined;
    worker.on('message', (msg: RunWorkerMessage) => {
      if (msg.type === 'progress') onProgress(msg.progress);
      else if (msg.type === 'log') process.stderr.write(`${msg.line}\n`);
      else if (msg.type === 'done') summary = msg.summary;
      else if (msg.type === 'failed') failure = new ShomeiError(msg.code, msg.message);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (summary) resolveSummary(summary);
      else reject(failure ?? new ShomeiError('internal', `the batch stopped early (exit ${code})`));
    });
  });
}
