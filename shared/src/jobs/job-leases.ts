import { randomBytes } from 'node:crypto';
import { acquireLease } from '../sql/leases.js';
import type { SqlExecutor } from '../sql/types.js';
import type { Job } from './scheduler.js';

/**
 * `mayRun` for `scheduleJobs` on a shared database: an exclusive job runs where its lease
 * (`job:<name>`) is held, taken or renewed before each run for three of its intervals (at least a
 * minute), so that a replica that dies hands the job over once that runs out. One holder id per
 * process.
 */
export function jobLeases(db: SqlExecutor, now: () => number = Date.now): (job: Job) => Promise<boolean> {
  const holder = `${process.pid}-${randomBytes(6).toString('hex')}`;
  return (job) => acquireLease(db, `job:${job.name}`, holder, now(), Math.max(3 * job.everyMs, 60_000));
}
