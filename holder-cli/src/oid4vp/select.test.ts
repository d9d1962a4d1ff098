import { generateEs256KeyPair, IDENTITY_VCT, isShomeiError } from '@shomei/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { leaves, openCredential } from '../credential/claims.js';
import { issueTestCredential, NOW, newTestIssuer, PERSON } from '../testing/fixtures.js';
import type { CredentialRecord } from '../wallet/credential-repository.js';
import type { DcqlCredentialQuery } from './request.js';
import { planDisclosure, requestedClaims, selectCredential } from './select.js';

const issuer = newTestIssuer();
const holder = generateEs256KeyPair();
const credential = openCredential(await issueTestCredential(issuer, holder.publicJwk));

const ADDRESS_MEMBERS = ['postal_code', 'region', 'locality', 'street_address', 'country', 'formatted'];

function query(paths: string[][], extra: Partial<DcqlCredentialQuery> = {}): DcqlCredentialQuery {
  return { id: 'identity', format: 'dc+sd-jwt', meta: { vct_values: [IDENTITY_VCT] }, claims: paths.map((path) => ({ path })), ...extra };
}

describe('planDisclosure', () => {
  it('expands a requested container to every member the credential holds, and nothing else', () => {
    const plan = planDisclosure(credential, [{ path: ['family_name'] }, { path: ['address'] }]);
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.paths[0]).toEqual(['family_name']);
    expect(
      plan.paths
        .slice(1)
        .map((p) => p.join('.'))
        .sort(),
    ).toEqual(ADDRESS_MEMBERS.map((m) => `address.${m}`).sort());
    expect(plan.paths).toHaveLength(1 + ADDRESS_MEMBERS.length);
  });

  it('asks for one age threshold only, never the birthdate', () => {
    const plan = planDisclosure(credential, [{ path: ['age_equal_or_over', '20'] }]);
    expect(plan).toMatchObject({ ok: true, paths: [['age_equal_or_over', '20']] });
  });

  it('does not repeat a member asked for twice (as a container and by name)', () => {
    const plan = planDisclosure(credential, [{ path: ['address', 'region'] }, { path: ['address'] }]);
    expect(plan.ok && plan.paths.filter((p) => p.join('.') === 'address.region')).toHaveLength(1);
  });

  it('needs no disclosure for an always-visible claim', () => {
    expect(planDisclosure(credential, [{ path: ['verification', 'assurance_level'] }])).toMatchObject({ ok: true, paths: [] });
  });

  it('reports missing claims and values that do not match', () => {
    expect(planDisclosure(credential, [{ path: ['nickname'] }, { path: ['family_name'] }])).toEqual({ ok: false, missing: [['nickname']] });
    expect(planDisclosure(credential, [{ path: ['age_equal_or_over', '65'], values: [true] }])).toEqual({
      ok: false,
      missing: [['age_equal_or_over', '65']],
    });
    expect(planDisclosure(credential, [{ path: ['age_equal_or_over', '20'], values: [true] }]).ok).toBe(true);
  });

  it('reads every claim of the credential from its disclosures', () => {
    const names = leaves(credential.disclosed).map((l) => l.path.join('.'));
    expect(names).toContain('family_name#ja-Kana-JP');
    expect(names).toContain('age_equal_or_over.18');
    expect(names).not.toContain('iss');
    expect(names).not.toContain('verification.assurance_level');
    expect(credential.disclosed.family_name).toBe(PERSON.family_name);
  });
});

describe('requestedClaims with claim_sets (contract 2)', () => {
  const q = query([['family_name'], ['address', 'locality'], ['birthdate']]);
  q.claims = q.claims?.map((c, i) => ({ ...c, id: `c${i}` }));

  it('treats ids in the first set but not in the last as optional', () => {
    const claims = requestedClaims(q, [
      ['c0', 'c1', 'c2'],
      ['c0', 'c2'],
    ]);
    expect(claims.map((c) => [c.id, c.optional])).toEqual([
      ['c0', false],
      ['c1', true],
      ['c2', false],
    ]);
    expect(requestedClaims(q).every((c) => !c.optional)).toBe(true);
    expect(requestedClaims(q, [['c0', 'c1', 'c2']]).every((c) => !c.optional)).toBe(true);
  });

  it('drops a claim in no set and refuses sets naming unknown ids or claims without ids', () => {
    expect(requestedClaims(q, [['c0', 'c1'], ['c0']]).map((c) => c.id)).toEqual(['c0', 'c1']);
    expect(() => requestedClaims(q, [['c0', 'c9'], ['c0']])).toThrow(/claim id the query does not have/);
    expect(() => requestedClaims(query([['family_name']]), [['c0'], ['c0']])).toThrow(/every claim to have its own id/);
  });

  it('a missing optional claim does not rule a credential out; a missing required one does', () => {
    const ask = requestedClaims(
      {
        ...q,
        claims: [
          { id: 'c0', path: ['family_name'] },
          { id: 'c1', path: ['nickname'] },
        ],
      },
      [['c0', 'c1'], ['c0']],
    );
    const plan = planDisclosure(credential, ask);
    expect(plan.ok).toBe(true);
    if (plan.ok)
      expect(plan.items.map((i) => [i.claim.id, i.available])).toEqual([
        ['c0', true],
        ['c1', false],
      ]);
    expect(
      planDisclosure(
        credential,
        ask.map((c) => ({ ...c, optional: false })),
      ).ok,
    ).toBe(false);
  });
});

describe('selectCredential', () => {
  const day = 86_400_000;
  const records: CredentialRecord[] = [];
  const compacts = new Map<string, string>();
  const add = async (id: string, issuedAt: Date, options: { vct?: string; noPhone?: boolean; expired?: boolean } = {}) => {
    const record = options.noPhone ? { ...PERSON, phone_number: undefined } : PERSON;
    compacts.set(id, await issueTestCredential(issuer, holder.publicJwk, { issuedAt, record, vct: options.vct }));
    records.push({
      id,
      format: 'dc+sd-jwt',
      issuer: issuer.iss,
      issuerName: null,
      vct: options.vct ?? IDENTITY_VCT,
      assuranceLevel: 'IAL2',
      sandbox: false,
      holderKid: 'k',
      issuedAt: issuedAt.toISOString(),
      expiresAt: new Date(options.expired ? NOW.getTime() - day : issuedAt.getTime() + 365 * day).toISOString(),
      receivedAt: issuedAt.toISOString(),
      batchId: id,
    });
  };
  beforeAll(async () => {
    // Newest first, as the repository lists them.
    await add('expired0', new Date(NOW.getTime() - 1 * day), { expired: true });
    await add('othervct', new Date(NOW.getTime() - 2 * day), { vct: 'urn:example:other' });
    await add('nophone1', new Date(NOW.getTime() - 3 * day), { noPhone: true });
    await add('complete', new Date(NOW.getTime() - 4 * day));
    await add('older000', new Date(NOW.getTime() - 5 * day));
  });
  const unseal = (id: string) => compacts.get(id) as string;

  it('takes the newest valid credential of a requested type', () => {
    expect(selectCredential(records, unseal, query([['family_name']]), NOW).record.id).toBe('nophone1');
  });

  it('skips credentials lacking a requested claim', () => {
    const picked = selectCredential(records, unseal, query([['phone_number']]), NOW);
    expect(picked.record.id).toBe('complete');
    expect(picked.paths).toEqual([['phone_number']]);
  });

  it('honours vct_values', () => {
    const picked = selectCredential(records, unseal, query([['family_name']], { meta: { vct_values: ['urn:example:other'] } }), NOW);
    expect(picked.record.id).toBe('othervct');
  });

  it('fails with no_matching_credential naming what is missing', () => {
    let error: unknown;
    try {
      selectCredential(records, unseal, query([['nationality']]), NOW);
    } catch (e) {
      error = e;
    }
    expect(isShomeiError(error, 'no_matching_credential')).toBe(true);
    expect((error as Error).message).toContain('missing: nationality');
    expect(() => selectCredential(records, unseal, query([['family_name']], { format: 'mso_mdoc' }), NOW)).toThrow(/mso_mdoc/);
  });

  it('refuses array-index paths it cannot honour', () => {
    const q: DcqlCredentialQuery = { id: 'identity', format: 'dc+sd-jwt', claims: [{ path: ['nationalities', null] }] };
    expect(() => selectCredential(records, unseal, q, NOW)).toThrow(/names only/);
  });
});
