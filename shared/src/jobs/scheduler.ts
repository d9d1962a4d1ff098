/**
 * Background work of a service as named jobs. Each job is an entry point (`run`) that a scheduler
 * calls every `everyMs`; a service lists its jobs and starts them once, so that a deployment with
 * several replicas can later decide which one runs each job by its name alone.
 */
export interface Job {
  /** Stable, unique within a service: `crl-recheck`, `status-refresh`, … */
  readonly name: string;
  /** Milliseconds between two runs (the first run waits one interval unless `runAtStart`). */
  readonly everyMs: number;
  /** Also run once when the schedule starts. */
  readonly runAtStart?: boolean;
  /**
   * Work on state the replicas share (a purge, a CRL re-check): run by one replica at a time,
   * whichever holds the job's lease. Jobs that fill a process's own caches run on every replica.
   */
  readonly exclusive?: boolean;
  run(): Promise<unknown> | unknown;
}

export interface ScheduleOptions {
  /** Asked before each run of an exclusive job: whether this process may run it now (it holds the job's lease). */
  mayRun?: (job: Job) => Promise<boolean>;
}

export interface ScheduledJobs {
  /** Stops the timers; a run in progress finishes on its own. */
  stop(): void;
}

/**
 * Starts every job on its own unref'd timer (they never keep a process alive). A run that is still
 * going when its next turn comes is not started twice: slow work (a status-list fetch behind a slow
 * network) must not pile up. A failure is reported by the job's name only — jobs touch identity data
 * and secrets, and an error's message may carry either.
 */
export function scheduleJobs(
  jobs: readonly Job[],
  onFailure: (job: string, error: unknown) => void,
  options: ScheduleOptions = {},
): ScheduledJobs {
  const names = new Set<string>();
  for (const job of jobs) {
    if (names.has(job.name)) throw new Error(`two jobs named ${job.name}`);
    names.add(job.name);
  }
  const timers = jobs.map((job) => {
    let running = false;
    const tick = () => {
      if (running) return;
      running = true;
      Promise.resolve()
        .then(async () => {
          if (job.exclusive && options.mayRun && !(await options.mayRun(job))) return;
          await job.run();
        })
        .catch((e: unknown) => onFailure(job.name, e))
        .finally(() => {
          running = false;
        });
    };
    if (job.runAtStart) tick();
    return setInterval(tick, job.everyMs).unref();
  });
  return {
    stop: () => {
      for (const t of timers) clearInterval(t);
    },
  };
}
