import type { Job } from '@shomei/shared';
import type { EvidenceWriter } from '../evidence/evidence.js';
import type { Logger } from '../log.js';
import type { EvidenceStore } from '../store/types.js';

const HOURLY = 3600_000;

export interface RetentionPurgeJob extends Job {
  run(): Promise<{ evidence: number; requestResults: number }>;
}

/**
 * Deletes evidence records and request results past the retention each business chose. Evidence
 * still queued in the writer is flushed first, so that a record is never purged before it is stored.
 */
export function retentionPurgeJob(evidenceStore: EvidenceStore, writer: EvidenceWriter, now: () => Date, log: Logger): RetentionPurgeJob {
  return {
    name: 'retention-purge',
    everyMs: HOURLY,
    exclusive: true,
    runAtStart: true,
    run: async () => {
      await writer.flush();
      const done = await evidenceStore.purge(now().getTime());
      if (done.evidence + done.requestResults > 0) {
        log.info(`retention: purged ${done.evidence} evidence record(s) and ${done.requestResults} request result(s)`);
      }
      return done;
    },
  };
}
