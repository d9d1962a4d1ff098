import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { IDENTITY_VCT, type KeyPair, type PublicJwk, STATUS, StatusList } from '@shomei/shared';
import { describe, expect, it } from 'vitest';
import { dcqlQueryFor, PRESET_NAMES, PRESETS } from '../oid4vp/presets.js';
import { resolveQuery } from '../oid4vp/z-requests.js';
import { StatusListCache } from '../status/status-list-cache.js';
import { ADDRESS_PATHS, HOLDER, present } from '../testing/issuer-stand-in.js';
import { buildSdJwt } from '../testing/sd-jwt-builder.js';
import { kb, NOW, now, pinnedTrustStore, useVerificationFixture } from '../testing/verification-fixture.js';
import { TrustStore } from '../trust/trust-store.js';
import { verifyPresentation } from './verify-presentation.js';

const codes = (r: { errors: { code: string }[] }) => r.errors.map((e) => e.code);

// The issuer is trusted up to IAL2 (what its credentials assert); no status-list entry is set up front.
const fx = useVerificationFixture({ trustEntry: { max_assurance: 'IAL2' } });
const { options } = fx;

describe('presets', () => {
  it.each(PRESET_NAMES)('%s: a presentation of exactly its claims verifies and discloses them', async (name) => {
    const paths = PRESETS[name].paths;
    // A wallet discloses an object claim (address) with its members.
    const withMembers = paths.some((p) => p.length === 1 && p[0] === 'address') ? [...paths, ...ADDRESS_PATHS] : paths;
    const vp = await present(await fx.issuer.issue(), withMembers, kb);
    const r = await verifyPresentation(vp, options({ requiredPaths: paths }));
    expect(codes(r)).toEqual([]);
    for (const path of paths) {
      let node: unknown = r.disclosed;
      for (const seg of path) node = (node as Record<string, unknown>)[seg];
      expect(node, path.join('.')).toBeDefined();
    }
    // and one claim short is claim_missing
    const dropped = paths[0] as readonly string[];
    const fewer = await present(
      await fx.issuer.issue(),
      withMembers.filter((p) => p[0] !== dropped[0]),
      kb,
    );
    expect(codes(await verifyPresentation(fewer, options({ requiredPaths: paths })))).toContain('claim_missing');
  });

  it('age presets disclose nothing but the one predicate', async () => {
    for (const name of ['age_over_18', 'age_over_20'] as const) {
      const vp = await present(await fx.issuer.issue(), PRESETS[name].paths, kb);
      expect(vp.split('~').length - 2).toBe(1);
      const r = await verifyPresentation(vp, options({ requiredPaths: PRESETS[name].paths }));
      expect(r.disclosed).toEqual({ age_equal_or_over: { [name === 'age_over_18' ? '18' : '20']: true } });
    }
  });

  it('optional claims get ids and claim_sets [[all], [required]] (contract 2); only required ones are checked', async () => {
    const q = resolveQuery({ preset: 'age_over_20', claims: [{ path: ['address', 'locality'], optional: true }, ['birthdate']] });
    expect(q.paths).toEqual([['age_equal_or_over', '20'], ['birthdate']]);
    expect(q.policy.optional).toEqual([['address', 'locality']]);
    const dcql = dcqlQueryFor(q.paths, q.policy.optional).credentials[0];
    expect(dcql?.claims).toEqual([
      { id: 'c0', path: ['age_equal_or_over', '20'] },
      { id: 'c1', path: ['birthdate'] },
      { id: 'c2', path: ['address', 'locality'] },
    ]);
    expect(dcql?.claim_sets).toEqual([
      ['c0', 'c1', 'c2'],
      ['c0', 'c1'],
    ]);
    expect(dcqlQueryFor([['birthdate']]).credentials[0]?.claim_sets).toBeUndefined();
    const withoutOptional = await present(await fx.issuer.issue(), q.paths, kb);
    expect(codes(await verifyPresentation(withoutOptional, options({ requiredPaths: q.paths })))).toEqual([]);
  });
});

describe('policy', () => {
  it('min_assurance: IAL2 passes IAL2, IAL3 is assurance_too_low', async () => {
    const vp = await present(await fx.issuer.issue(), [['birthdate']], kb);
    expect(codes(await verifyPresentation(vp, options({ minAssurance: 'IAL1' })))).toEqual([]);
    expect(codes(await verifyPresentation(vp, options({ minAssurance: 'IAL2' })))).toEqual([]);
    expect(codes(await verifyPresentation(vp, options({ minAssurance: 'IAL3' })))).toEqual(['assurance_too_low']);
  });

  it('maximum credential age: by iat', async () => {
    const vp = await present(await fx.issuer.issue({ issuedAt: new Date(NOW.getTime() - 10 * 86_400_000) }), [['birthdate']], kb);
    expect(codes(await verifyPresentation(vp, options({ maxCredentialAgeSeconds: 30 * 86_400 })))).toEqual([]);
    expect(codes(await verifyPresentation(vp, options({ maxCredentialAgeSeconds: 86_400 })))).toEqual(['credential_too_old']);
  });

  it("an issuer's max_assurance in the trust configuration caps what it may assert (assurance_not_allowed)", async () => {
    const capped = pinnedTrustStore(fx.issuer, { max_assurance: 'IAL1' });
    const vp = await present(await fx.issuer.issue(), [['birthdate']], kb);
    expect(codes(await verifyPresentation(vp, options({ trust: capped })))).toEqual(['assurance_not_allowed']);
  });

  it("an issuer's vcts in the trust configuration limit its credential types (vct_not_allowed)", async () => {
    const other = pinnedTrustStore(fx.issuer, { vcts: ['urn:other'] });
    const vp = await present(await fx.issuer.issue(), [['birthdate']], kb);
    expect(codes(await verifyPresentation(vp, options({ trust: other })))).toEqual(['vct_not_allowed']);
  });

  it('refuses a credential bound to a holder key without key binding, even when no nonce or audience is expected (kb_missing)', async () => {
    const vp = await present(await fx.issuer.issue(), [['birthdate']], kb);
    const noKb = `${vp.slice(0, vp.lastIndexOf('~'))}~`;
    const r = await verifyPresentation(noKb, options({ expectedNonce: undefined, expectedAud: undefined }));
    expect(r).toMatchObject({ valid: false, errors: [{ code: 'kb_missing' }], disclosed: {}, key_binding: 'absent' });
  });

  it('with key binding optional, says it was absent and warns (key_binding_absent)', async () => {
    const vp = await present(await fx.issuer.issue(), [['birthdate']], kb);
    const noKb = `${vp.slice(0, vp.lastIndexOf('~'))}~`;
    const r = await verifyPresentation(noKb, options({ expectedNonce: undefined, expectedAud: undefined, keyBinding: 'optional' }));
    expect(r).toMatchObject({ valid: true, key_binding: 'absent', disclosed: { birthdate: '1991-08-14' } });
    expect(r.warnings?.map((w) => w.code)).toEqual(['key_binding_absent']);
    // A key binding that is there is still checked.
    const other = await verifyPresentation(vp, options({ expectedNonce: 'another', keyBinding: 'optional' }));
    expect(other.errors.map((e) => e.code)).toEqual(['kb_nonce_mismatch']);
  });
});

describe('stale status lists: a policy, both ways', () => {
  const T0 = NOW.getTime();
  let clock = T0;
  const cache = () => new StatusListCache({ trust: fx.trust, now: () => new Date(clock), staleAfterSeconds: 60 });

  it('a list within ttl (+ grace for the background refresh) is fresh', async () => {
    clock = T0;
    const c = cache();
    c.ingest(fx.issuer.statusUri, fx.issuer.iss, fx.issuer.statusToken()); // ttl 300
    const vp = await present(await fx.issuer.issue(), [['birthdate']], kb);
    const at = new Date(T0 + 350_000);
    const r = await verifyPresentation(vp, options({ now: at, statusLists: c, staleStatus: 'reject', kbMaxAgeSeconds: 3600 }));
    expect(r).toMatchObject({ valid: true, status: 'valid' });
    expect(r.warnings).toBeUndefined();
  });

  it('reject: a list past ttl whose refresh failed is status_unavailable', async () => {
    clock = T0;
    const c = cache();
    c.ingest(fx.issuer.statusUri, fx.issuer.iss, fx.issuer.statusToken());
    const vp = await present(await fx.issuer.issue(), [['birthdate']], kb);
    const at = new Date(T0 + 400_000);
    const r = await verifyPresentation(vp, options({ now: at, statusLists: c, staleStatus: 'reject', kbMaxAgeSeconds: 3600 }));
    expect(codes(r)).toEqual(['status_unavailable']);
    expect(r.errors[0]?.message).toMatch(/stale/);
  });

  it('accept: the same list is used and the result says so', async () => {
    clock = T0;
    const c = cache();
    c.ingest(fx.issuer.statusUri, fx.issuer.iss, fx.issuer.statusToken());
    const vp = await present(await fx.issuer.issue(), [['birthdate']], kb);
    const at = new Date(T0 + 400_000);
    const r = await verifyPresentation(vp, options({ now: at, statusLists: c, staleStatus: 'accept', kbMaxAgeSeconds: 3600 }));
    expect(r).toMatchObject({ valid: true, status: 'valid', warnings: [{ code: 'status_stale' }] });
  });

  it('accept still reports a revocation the stale list shows', async () => {
    clock = T0;
    const c = cache();
    fx.issuer.list.set(3, STATUS.INVALID);
    c.ingest(fx.issuer.statusUri, fx.issuer.iss, fx.issuer.statusToken());
    const vp = await present(await fx.issuer.issue({ idx: 3 }), [['birthdate']], kb);
    const r = await verifyPresentation(
      vp,
      options({ now: new Date(T0 + 400_000), statusLists: c, staleStatus: 'accept', kbMaxAgeSeconds: 3600 }),
    );
    expect(codes(r)).toEqual(['revoked']);
  });
});

function jwkOf(key: KeyObject): PublicJwk {
  return key.export({ format: 'jwk' }) as unknown as PublicJwk;
}

describe('issuer signature algorithms and the typ rules', () => {
  const ISS = 'https://alg-fx.issuer.example';
  const visible = (over: Record<string, unknown> = {}) => ({
    iss: ISS,
    vct: IDENTITY_VCT,
    iat: Math.floor(NOW.getTime() / 1000) - 60,
    exp: Math.floor(NOW.getTime() / 1000) + 86_400,
    status: { status_list: { idx: 0, uri: `${ISS}/status` } },
    verification: { trust_framework: 'jp_aml', assurance_level: 'IAL2', evidence: [{ type: 'document', method: 'document' }] },
    ...over,
  });
  const keys: Record<string, { privateKey: KeyObject; publicKey: KeyObject }> = {
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    ES512: generateKeyPairSync('ec', { namedCurve: 'P-521' }),
    EdDSA: generateKeyPairSync('ed25519'),
    RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    PS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  };

  function setup(alg: string) {
    const k = keys[alg] as { privateKey: KeyObject; publicKey: KeyObject };
    const t = new TrustStore({ issuers: [{ iss: ISS, keys: [{ ...jwkOf(k.publicKey), kid: 'k1' }] }] }, { now });
    return { t, k };
  }

  it.each(['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256'])('accepts %s', async (alg) => {
    const { t, k } = setup(alg);
    const built = buildSdJwt({
      header: { alg, typ: 'dc+sd-jwt', kid: 'k1' },
      issuerKey: k.privateKey,
      visible: visible(),
      disclosable: { birthdate: '1991-08-14' },
      holder: HOLDER as KeyPair,
    });
    const lists = { lookup: () => StatusList.empty(16, 2) };
    const r = await verifyPresentation(built.present(['birthdate'], kb), options({ trust: t, statusLists: lists }));
    expect(codes(r)).toEqual([]);
    expect(r.disclosed).toEqual({ birthdate: '1991-08-14' });
  });

  it('an allow-list narrows it (unsupported_alg); none and HMAC are never accepted', async () => {
    const { t, k } = setup('RS256');
    const lists = { lookup: () => StatusList.empty(16, 2) };
    const built = buildSdJwt({
      header: { alg: 'RS256', typ: 'dc+sd-jwt', kid: 'k1' },
      issuerKey: k.privateKey,
      visible: visible(),
      disclosable: { birthdate: 'x' },
      holder: HOLDER as KeyPair,
    });
    expect(
      codes(await verifyPresentation(built.present([], kb), options({ trust: t, statusLists: lists, allowedAlgs: ['ES256'] }))),
    ).toEqual(['unsupported_alg']);
    const [h, p] = built.credential.split('.') as [string, string];
    for (const alg of ['none', 'HS256']) {
      const header = Buffer.from(JSON.stringify({ alg, typ: 'dc+sd-jwt', kid: 'k1' })).toString('base64url');
      const forged = `${header}.${p}.${alg === 'none' ? '' : 'c2ln'}~`;
      expect(h).not.toBe(header);
      const r = await verifyPresentation(
        forged,
        options({ trust: t, statusLists: lists, expectedNonce: undefined, expectedAud: undefined }),
      );
      expect(['unsupported_alg', 'malformed']).toContain(codes(r)[0]);
      expect(r.valid).toBe(false);
    }
  });

  it('accepts the legacy typ vc+sd-jwt and says so', async () => {
    const { t, k } = setup('ES256');
    const lists = { lookup: () => StatusList.empty(16, 2) };
    const built = buildSdJwt({
      header: { alg: 'ES256', typ: 'vc+sd-jwt', kid: 'k1' },
      issuerKey: k.privateKey,
      visible: visible(),
      disclosable: { birthdate: 'x' },
      holder: HOLDER as KeyPair,
    });
    const r = await verifyPresentation(built.present(['birthdate'], kb), options({ trust: t, statusLists: lists }));
    expect(r).toMatchObject({ valid: true, warnings: [{ code: 'legacy_typ' }] });
    const wrongTyp = buildSdJwt({
      header: { alg: 'ES256', typ: 'JWT', kid: 'k1' },
      issuerKey: k.privateKey,
      visible: visible(),
      disclosable: {},
      holder: HOLDER as KeyPair,
    });
    expect(codes(await verifyPresentation(wrongTyp.present([], kb), options({ trust: t, statusLists: lists })))).toEqual(['malformed']);
  });

  it('profile sd-jwt: any RFC 9901 SD-JWT, no typ/vct rules, no status needed', async () => {
    const { t, k } = setup('ES256');
    const lists = { lookup: () => undefined };
    const plain = buildSdJwt({
      header: { alg: 'ES256', typ: 'example+sd-jwt', kid: 'k1' },
      issuerKey: k.privateKey,
      visible: { iss: ISS, iat: 1 },
      disclosable: { given_name: 'Erika' },
      holder: HOLDER as KeyPair,
    });
    const vp = plain.present(['given_name'], kb);
    expect(codes(await verifyPresentation(vp, options({ trust: t, statusLists: lists })))).toEqual(['malformed']);
    const r = await verifyPresentation(vp, options({ trust: t, statusLists: lists, profile: 'sd-jwt' }));
    expect(r).toMatchObject({
      valid: true,
      vct: null,
      disclosed: { given_name: 'Erika' },
      status: 'unknown',
      warnings: [{ code: 'status_not_checked' }],
    });
  });
});

describe('RFC 9901 §7 rules the stock library misses', () => {
  it('rejects a bare JWT with no ~ (malformed)', async () => {
    const vp = await present(await fx.issuer.issue(), [['birthdate']], kb);
    const bare = vp.split('~')[0] as string;
    expect(codes(await verifyPresentation(bare, options({ expectedNonce: undefined, expectedAud: undefined })))).toEqual(['malformed']);
  });

  it('rejects a genuine disclosure no digest references (taken from another credential)', async () => {
    const a = await present(await fx.issuer.issue(), [['birthdate']], kb);
    const b = await present(await fx.issuer.issue(), [['gender']], kb);
    const foreign = b.split('~')[1] as string;
    const parts = a.split('~');
    const sdPart = `${parts.slice(0, -1).join('~')}~${foreign}~`;
    expect(codes(await verifyPresentation(sdPart, options({ expectedNonce: undefined, expectedAud: undefined })))).toEqual([
      'disclosure_digest_mismatch',
    ]);
  });

  it('rejects an issuer-signed part changed after signing (signature_invalid)', async () => {
    const vp = await present(await fx.issuer.issue(), [['birthdate']], kb);
    const [h, p, sig] = (vp.split('~')[0] as string).split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    payload.exp = (payload.exp as number) + 365 * 86_400;
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`;
    const rest = vp.split('~').slice(1, -1);
    const r = await verifyPresentation(`${forged}~${rest.join('~')}~`, options({ expectedNonce: undefined, expectedAud: undefined }));
    expect(codes(r)).toEqual(['signature_invalid']);
    expect(r.disclosed).toEqual({});
  });

  it('rejects a repeated disclosure (disclosure_duplicate)', async () => {
    const a = await present(await fx.issuer.issue(), [['birthdate']], kb);
    const parts = a.split('~');
    const sdPart = `${parts[0]}~${parts[1]}~${parts[1]}~`;
    expect(codes(await verifyPresentation(sdPart, options({ expectedNonce: undefined, expectedAud: undefined })))).toEqual([
      'disclosure_duplicate',
    ]);
  });

  it('compares the key-binding aud (kb_aud_mismatch) and sd_hash (kb_sd_hash_mismatch)', async () => {
    const vp = await present(await fx.issuer.issue(), [['birthdate'], ['gender']], { ...kb, aud: 'https://other.example' });
    expect(codes(await verifyPresentation(vp, options()))).toEqual(['kb_aud_mismatch']);
    const good = await present(await fx.issuer.issue(), [['birthdate'], ['gender']], kb);
    const parts = good.split('~');
    // drop one disclosure but keep the KB JWT made over both
    const dropped = [parts[0], parts[1], parts[parts.length - 1]].join('~');
    expect(codes(await verifyPresentation(dropped, options()))).toEqual(['kb_sd_hash_mismatch']);
  });

  it('reports not_yet_valid and expired by the clock passed in', async () => {
    const vp = await present(await fx.issuer.issue(), [['birthdate']], { ...kb, iat: new Date(NOW.getTime() - 3 * 365 * 86_400_000) });
    expect(
      codes(
        await verifyPresentation(vp, options({ now: new Date(NOW.getTime() + 2 * 365 * 86_400_000), kbMaxAgeSeconds: 10 * 365 * 86_400 })),
      ),
    ).toEqual(['expired']);
    expect(
      codes(await verifyPresentation(vp, options({ now: new Date(NOW.getTime() - 86_400_000), kbMaxAgeSeconds: 10 * 365 * 86_400 }))),
    ).toContain('not_yet_valid');
  });
});
