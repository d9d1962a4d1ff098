import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { acquireLease, releaseLease, ShomeiError, type SqlExecutor } from '@shomei/shared';

/** How long a batch lease lasts unless renewed: a holder killed -9 on another host blocks the job this long at most. */
export const BATCH_LEASE_TTL_MS = 30_000;
/** Renewed this often while held (and at every chunk commit). */
const RENEW_EVERY_MS = 10_000;

/** `host:pid:nonce`: who holds a lease, and enough to tell whether it died on this host. */
export function leaseHolder(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export interface BatchLease {
  readonly holder: string;
  /** Renews the lease now; throws `conflict` if another run has taken it (this run lost it). */
  renew(): Promise<void>;
  release(): Promise<void>;
}

/**
 * One run per batch job at a time (single-process mode: two runs appending to the same outputs
 * would break the exactly-once promise), held as a database lease (`leases`, shared/src/sql) so
 * that runs on different machines exclude each other too. A lease whose holder was a process on
 * this host that is gone (killed) is taken over at once, as the pid-file lock it replaces did;
 * one held on another host is taken over once it runs out.
 */
export async function acquireBatchLease(db: SqlExecutor, name: string, now: () => number, holder = leaseHolder()): Promise<BatchLease> {
  if (!(await acquireLease(db, name, holder, now(), BATCH_LEASE_TTL_MS))) {
    const current = await db.get<{ holder: string }>('SELECT holder FROM leases WHERE name = ?', [name]);
    if (!current || !(await takeOverFromDeadLocalHolder(db, name, current.holder, holder, now()))) {
      throw new ShomeiError(
        'conflict',
        `another run (${describeHolder(current?.holder)}) is working on this batch; wait for it or stop it first`,
      );
    }
  }
  let lost = false;
  const renew = async () => {
    if (lost || !(await acquireLease(db, name, holder, now(), BATCH_LEASE_TTL_MS))) {
      lost = true;
      throw new ShomeiError('conflict', 'another run took over this batch (this run stalled past its lease)');
    }
  };
  const timer = setInterval(() => renew().catch(() => {}), RENEW_EVERY_MS);
  timer.unref();
  return {
    holder,
    renew,
    async release() {
      clearInterval(timer);
      await releaseLease(db, name, holder);
    },
  };
}

/** Takes the lease from `dead` if it names a process of this host that no longer runs; true if taken. */
export async function takeOverFromDeadLocalHolder(
  db: SqlExecutor,
  name: string,
  dead: string,
  holder: string,
  now: number,
): Promise<boolean> {
  const [host, pidText] = dead.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid || isAlive(pid)) return false;
  const { changes } = await db.run('UPDATE leases SET holder = ?, expires_at = ? WHERE name = ? AND holder = ?', [
    holder,
    now + BATCH_LEASE_TTL_MS,
    name,
    dead,
  ]);
  return changes === 1;
}

function describeHolder(holder: string | undefined): string {
  if (!holder) return 'unknown';
  const [host, pid] = holder.split(':');
  return host === hostname() ? `pid ${pid}` : `pid ${pid} on ${host}`;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
