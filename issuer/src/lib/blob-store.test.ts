import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectoryBlobStore } from './blob-store.js';

const root = mkdtempSync(join(tmpdir(), 'shomei-blobs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the directory blob store', () => {
  // Two replicas sharing one directory (NFS in production): each sees what the other wrote.
  const a = new DirectoryBlobStore(root);
  const b = new DirectoryBlobStore(root);

  it('stores, replaces, lists and deletes by key, across two stores on one directory', async () => {
    await a.put('uploads/app-1/selfie.sealed', 'first');
    await a.put('uploads/app-1/id_document.sealed', Buffer.from([1, 2, 3]));
    await a.put('batches/x.csv', 'a,b\n');
    expect((await b.get('uploads/app-1/selfie.sealed'))?.toString()).toBe('first');
    await b.put('uploads/app-1/selfie.sealed', 'second');
    expect((await a.get('uploads/app-1/selfie.sealed'))?.toString()).toBe('second');
    expect(await b.list('uploads')).toEqual(['uploads/app-1/id_document.sealed', 'uploads/app-1/selfie.sealed']);
    expect(await b.list('uploads/app-1/selfie.sealed')).toEqual(['uploads/app-1/selfie.sealed']);
    expect(await a.list('nothing-here')).toEqual([]);
    await a.delete('uploads/app-1/selfie.sealed');
    await a.delete('uploads/app-1/selfie.sealed');
    expect(await b.get('uploads/app-1/selfie.sealed')).toBeUndefined();
    expect(await b.list('uploads/app-1')).toEqual(['uploads/app-1/id_document.sealed']);
  });

  it('keeps files 0600 and folders 0700', async () => {
    await a.put('modes/deep/file.bin', 'x');
    expect(statSync(join(root, 'modes/deep/file.bin')).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'modes/deep')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'modes')).mode & 0o777).toBe(0o700);
  });

  it('refuses keys that would leave its directory or clash with its temporary files', async () => {
    for (const key of ['', '../etc/passwd', 'a/../../b', '/abs', 'a//b', '.hidden', 'a/.', 'x.tmp', 'a\\b', 'a/-rf']) {
      await expect(a.put(key, 'x')).rejects.toMatchObject({ code: 'invalid_request' });
      await expect(a.get(key)).rejects.toMatchObject({ code: 'invalid_request' });
    }
  });
});
