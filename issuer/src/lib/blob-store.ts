import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { ShomeiError } from '@shomei/shared';

/**
 * Where the issuer keeps files that every replica must see: proofing uploads, batch input and
 * output files. Keys are relative, `/`-separated paths (`uploads/<application>/selfie.sealed`).
 * The directory implementation serves one host, or several sharing a directory (NFS); object
 * storage can implement the same interface later.
 */
export interface BlobStore {
  /** Stores `data` under `key`, replacing what was there; readers see the old bytes or the new, never a part. */
  put(key: string, data: Uint8Array | string): Promise<void>;
  /** The bytes under `key`, or undefined when there are none. */
  get(key: string): Promise<Buffer | undefined>;
  /** Removes `key` (nothing happens when it is absent). */
  delete(key: string): Promise<void>;
  /** Every key under `prefix` (a folder: `uploads/abc`), sorted. */
  list(prefix: string): Promise<string[]>;
}

/** Keys: segments of letters, digits, `.`, `_`, `-`, starting with neither `.` nor `-`; not ending in `.tmp` (a put's temporary file). */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

export function checkBlobKey(key: string): string[] {
  const segments = key.split('/');
  if (key.length === 0 || key.length > 512 || key.endsWith('.tmp') || !segments.every((s) => SEGMENT.test(s))) {
    throw new ShomeiError('invalid_request', 'not a valid storage key');
  }
  return segments;
}

/**
 * A BlobStore in a directory (the data dir): files 0600, folders 0700, as everything under the
 * data dir. A put writes a temporary file beside the target, then renames it into place (atomic on
 * a local file system and on NFS), so a replica reading at the same time never sees half a file.
 */
export class DirectoryBlobStore implements BlobStore {
  constructor(readonly root: string) {}

  async put(key: string, data: Uint8Array | string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${randomUUID()}.tmp`;
    try {
      await writeFile(temporary, data, { mode: 0o600, flush: true });
      await rename(temporary, path);
    } catch (e) {
      await rm(temporary, { force: true });
      throw e;
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async list(prefix: string): Promise<string[]> {
    const base = this.pathOf(prefix);
    const found: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw e;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile() && !entry.name.endsWith('.tmp')) found.push(relative(this.root, path).split(sep).join('/'));
      }
    };
    if ((await stat(base).catch(() => undefined))?.isFile()) return [prefix];
    await walk(base);
    return found.sort();
  }

  private pathOf(key: string): string {
    return join(this.root, ...checkBlobKey(key));
  }
}
