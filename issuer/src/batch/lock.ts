import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { ShomeiError } from '@shomei/shared';

/**
 * One run per batch job at a time: two runs appending to the same outputs would break the
 * exactly-once promise. The lock file holds the owner's pid; a lock whose process is gone (the
 * run was killed) is taken over.
 */
export function acquireBatchLock(path: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new ShomeiError('conflict', `another run (pid ${owner}) is working on this batch; wait for it or stop it first`);
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new ShomeiError('conflict', 'could not take the batch lock');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
