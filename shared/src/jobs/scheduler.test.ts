import { afterEach, describe, expect, it, vi } from 'vitest';
import { leaseMigration } from '../sql/leases.js';
import { migrateSql } from '../sql/migrate.js';
import { SqliteDatabase } from '../sql/sqlite.js';
import { openDatabase } from '../store/db.js';
import { jobLeases } from './job-leases.js';
import { type Job, scheduleJobs } from './scheduler.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('scheduleJobs', () => {
  it('runs each job every interval, at start when asked, and not again after stop', async () => {
    vi.useFakeTimers();
    const runs: string[] = [];
    const jobs: Job[] = [
      { name: 'a', everyMs: 100, runAtStart: true, run: () => runs.push('a') },
      { name: 'b', everyMs: 250, run: () => runs.push('b') },
    ];
    const scheduled = scheduleJobs(jobs, () => {});
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(500);
    expect(runs.filter((r) => r === 'a')).toHaveLength(6);
    expect(runs.filter((r) => r === 'b')).toHaveLength(2);
    scheduled.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toHaveLength(8);
  });

  it('does not start a run while the previous one is still going', async () => {
    vi.useFakeTimers();
    let started = 0;
    let finish: () => void = () => {};
    const slow: Job = {
      name: 'slow',
      everyMs: 10,
      run: () => {
        started++;
        return new Promise<void>((r) => {
          finish = r;
        });
      },
    };
    const scheduled = scheduleJobs([slow], () => {});
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toBe(1);
    finish();
    await vi.advanceTimersByTimeAsync(10);
    expect(started).toBe(2);
    scheduled.stop();
  });

  it('reports a failure by the job name and keeps the schedule', async () => {
    vi.useFakeTimers();
    const failures: string[] = [];
    let calls = 0;
    const scheduled = scheduleJobs(
      [
        {
          name: 'flaky',
          everyMs: 10,
          run: () => {
            calls++;
            throw new Error('secret value 123456789012');
          },
        },
      ],
      (job) => failures.push(job),
    );
    await vi.advanceTimersByTimeAsync(30);
    expect(calls).toBe(3);
    expect(failures).toEqual(['flaky', 'flaky', 'flaky']);
    scheduled.stop();
  });

  it('refuses two jobs of one name', () => {
    const job: Job = { name: 'x', everyMs: 10, run: () => {} };
    expect(() => scheduleJobs([job, job], () => {})).toThrow(/two jobs named x/);
  });
});

describe('exclusive jobs on a shared database', () => {
  it('run where the job lease is held; two replicas with one purge run it once per turn', async () => {
    const db = new SqliteDatabase(openDatabase(':memory:', []));
    await migrateSql(db, [leaseMigration]);
    const runs: string[] = [];
    const purge = (replica: string): Job => ({
      name: 'purge',
      everyMs: 60_000,
      exclusive: true,
      runAtStart: true,
      run: () => runs.push(replica),
    });
    const cache = (replica: string): Job => ({
      name: 'cache',
      everyMs: 60_000,
      runAtStart: true,
      run: () => runs.push(`cache@${replica}`),
    });
    const a = scheduleJobs([purge('a'), cache('a')], () => {}, { mayRun: jobLeases(db) });
    const b = scheduleJobs([purge('b'), cache('b')], () => {}, { mayRun: jobLeases(db) });
    await vi.waitFor(() => expect(runs).toHaveLength(3));
    a.stop();
    b.stop();
    // The per-process cache job ran on both; the purge on exactly one.
    expect(runs.filter((r) => r.startsWith('cache@')).sort()).toEqual(['cache@a', 'cache@b']);
    expect(runs.filter((r) => !r.startsWith('cache@'))).toHaveLength(1);
    await db.close();
  });
});
