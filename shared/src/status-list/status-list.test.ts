import { describe, expect, it } from 'vitest';
import { parseJws, verifyJwsSignature } from '../crypto/jws.js';
import { generateEs256KeyPair } from '../crypto/keys.js';
import { isShomeiError } from '../errors.js';
import { STATUS, StatusList, signStatusListToken } from './status-list.js';

describe('Token Status List', () => {
  it('round-trips 2-bit statuses through the deflated lst', () => {
    const list = StatusList.empty(131_072, 2);
    list.set(0, STATUS.INVALID);
    list.set(1, STATUS.SUSPENDED);
    list.set(131_071, STATUS.INVALID);
    const back = StatusList.decode(2, list.encode());
    expect(back.size).toBe(131_072);
    expect([back.get(0), back.get(1), back.get(2), back.get(131_071)]).toEqual([1, 2, 0, 1]);
  });

  it('matches the 1-bit example of the Token Status List draft (§4.1)', () => {
    // Statuses 1,0,0,1,1,1,0,1, 1,1,0,0,0,1,0,1 → bytes 0xB9 0xA3 (least significant bit first).
    const list = StatusList.empty(16, 1);
    [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1].forEach((v, i) => {
      list.set(i, v);
    });
    expect(Buffer.from(list.bytes).toString('hex')).toBe('b9a3');
    expect(list.encode()).toBe('eNrbuRgAAhcBXQ');
  });

  it('refuses a list that inflates beyond the bound the caller passes', () => {
    const lst = StatusList.empty(8 * 4096, 2).encode(); // 8 KiB inflated
    expect(StatusList.decode(2, lst, 8192).bytes.length).toBe(8192);
    try {
      StatusList.decode(2, lst, 8191);
      throw new Error('expected a throw');
    } catch (e) {
      expect(isShomeiError(e, 'malformed')).toBe(true);
    }
  });

  it('refuses an index outside the list', () => {
    const list = StatusList.empty(8, 2);
    try {
      list.get(8);
      throw new Error('expected a throw');
    } catch (e) {
      expect(isShomeiError(e, 'status_unavailable')).toBe(true);
    }
  });

  it('signs a statuslist+jwt with ttl and sub', () => {
    const key = generateEs256KeyPair();
    const token = signStatusListToken({
      issuer: 'http://127.0.0.1:4000',
      uri: 'http://127.0.0.1:4000/status-lists/1',
      list: StatusList.empty(16),
      issuedAt: new Date(0),
      ttl: 300,
      validFor: 86400,
      key: key.privateKey,
      kid: 'k',
    });
    const jws = parseJws(token);
    verifyJwsSignature(jws, key.publicKey);
    expect(jws.header.typ).toBe('statuslist+jwt');
    expect(jws.payload).toMatchObject({ sub: 'http://127.0.0.1:4000/status-lists/1', ttl: 300, exp: 86400 });
  });
});
