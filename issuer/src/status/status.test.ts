import { decodeSdJwt, parseJws, publicKeyFromJwk, StatusList, verifyJwsSignature } from '@shomei/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { findCredential, findCredentialByStatusIndex } from '../store/credentials.js';
import { BASE, createHarness, type Harness, issueOne } from '../testing/harness.js';
import { setCredentialStatus } from './set-status.js';
import { STATUS_LIST_ID } from './status-lists.js';

let h: Harness;
afterEach(() => h.close());

async function served(): Promise<{ token: string; list: StatusList; payload: Record<string, unknown>; res: Response }> {
  const res = await h.app.request('/status-lists/1');
  expect(res.status).toBe(200);
  const token = await res.text();
  const jws = parseJws(token);
  verifyJwsSignature(jws, publicKeyFromJwk(h.deps.keys.current.publicJwk), { allowed: ['ES256'] });
  const { bits, lst } = jws.payload.status_list as { bits: number; lst: string };
  return { token, list: StatusList.decode(bits, lst), payload: jws.payload, res };
}

function statusIdx(credential: string): number {
  return (decodeSdJwt(credential).issuerJws.payload.status as { status_list: { idx: number } }).status_list.idx;
}

describe('status list', () => {
  it('serves a signed statuslist+jwt of 131072 two-bit entries, cacheable for its ttl', async () => {
    h = await createHarness();
    const { res, payload, list, token } = await served();
    expect(res.headers.get('cache-control')).toBe('max-age=300');
    expect(parseJws(token).header).toMatchObject({ typ: 'statuslist+jwt', alg: 'ES256', kid: h.deps.keys.current.kid });
    expect(payload).toMatchObject({ iss: BASE, sub: `${BASE}/status-lists/1`, ttl: 300 });
    expect((payload.exp as number) - (payload.iat as number)).toBe(86400);
    expect(list.bits).toBe(2);
    expect(list.size).toBe(131_072);
    const missing = await h.app.request('/status-lists/2');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'not_found' });
  });

  it('revoking, suspending and reinstating a credential flip its entry in the served list', async () => {
    h = await createHarness();
    const { credential } = await issueOne(h);
    const idx = statusIdx(credential);
    const row = await findCredentialByStatusIndex(h.deps.sql, STATUS_LIST_ID, idx);
    if (!row) throw new Error('no credential row');
    expect(row).toMatchObject({ status: 'valid', assurance_level: 'IAL2', sandbox: 1 });
    expect((await served()).list.get(idx)).toBe(0);

    await setCredentialStatus(h.deps, row.id, 'revoked');
    expect((await served()).list.get(idx)).toBe(1);
    expect(h.logs.at(-1)).toBe(`[sandbox] credential ${row.id} status set to revoked`);
    expect((await findCredential(h.deps.sql, row.id))?.status).toBe('revoked');
    await setCredentialStatus(h.deps, row.id, 'suspended');
    expect((await served()).list.get(idx)).toBe(2);
    await setCredentialStatus(h.deps, row.id, 'valid');
    const after = await served();
    expect(after.list.get(idx)).toBe(0);
    expect(after.list.bytes.every((b) => b === 0)).toBe(true);
    await expect(setCredentialStatus(h.deps, 'no-such-id', 'revoked')).rejects.toThrow(/no such credential/);
  });

  it('signs the token again only when the list changed or it is half-way to expiry', async () => {
    h = await createHarness();
    const first = (await served()).token;
    h.advance(60);
    expect((await served()).token).toBe(first);
    h.advance(12 * 3600 - 60);
    const second = (await served()).token;
    expect(second).not.toBe(first);
    expect(parseJws(second).payload.iat).toBe(Math.floor(h.now().getTime() / 1000));
    h.advance(10);
    expect((await served()).token).toBe(second);
    const { credential } = await issueOne(h);
    // Issuing leaves the list as it was (new entries are 0), so no new signature.
    expect((await served()).token).toBe(second);
    const row = await findCredentialByStatusIndex(h.deps.sql, STATUS_LIST_ID, statusIdx(credential));
    await setCredentialStatus(h.deps, row?.id as string, 'revoked');
    expect((await served()).token).not.toBe(second);
  });

  it('gives every credential its own index until the list is full', async () => {
    h = await createHarness({ settings: { statusListSize: 12 } });
    const seen = new Set<number>();
    for (let i = 0; i < 12; i++) seen.add(statusIdx((await issueOne(h)).credential));
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    await expect(issueOne(h)).rejects.toThrow(/credential answered 500/);
    expect(h.logs.at(-1)).toBe('error internal on POST /credential');
  });
});
