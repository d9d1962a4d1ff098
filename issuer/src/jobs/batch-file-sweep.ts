import type { Job } from '@shomei/shared';
import { type BatchRetention, sweepBatchFiles } from '../batch/retention.js';
import type { IssuerDeps } from '../deps.js';

const SWEEP_INTERVAL_MS = 3600_000;

/**
 * Deletes the files of batches past their retention (issue 14, item 10), hourly and at start. A
 * batch this process is still running is left alone; `isRunning` says which.
 */
export function batchFileSweepJob(deps: IssuerDeps, retention: BatchRetention, isRunning: (id: string) => boolean): Job {
  return {
    name: 'batch-file-sweep',
    everyMs: SWEEP_INTERVAL_MS,
    exclusive: true,
    runAtStart: true,
    run: async () => {
      try {
        for (const id of await sweepBatchFiles(deps, retention, isRunning)) {
          await deps.audit({
            actor: 'system',
            action: 'batch.files_deleted',
            subject: id,
            data: { reason: 'retention', days: retention.days },
          });
          deps.log(`batch ${id}: files deleted (past ${retention.days} days of retention)`);
        }
      } catch (e) {
        // A failed sweep (a closed database at shutdown, a busy file) is retried by the next one.
        deps.log(`batch retention: the sweep failed (${e instanceof Error ? e.name : 'error'})`);
      }
    },
  };
}
