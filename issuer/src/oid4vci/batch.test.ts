import { decodeSdJwt, generateEs256KeyPair, jwkThumbprint, publicKeyFromJwk, verifySdJwtVc } from '@shomei/shared';
import { describe, expect, it } from 'vitest';
import { STATUS_LIST_ID } from '../status/status-lists.js';
import { findCredentialByStatusIndex } from '../store/credentials.js';
import { credentialBody, credentialRequest, freshAccessToken, nonce, proofJwt, useHarness } from '../testing/harness.js';

const h = useHarness();

describe('batch issuance (OpenID4VCI 1.0 §8.2, batch_size 10)', () => {
  it('advertises batch_credential_issuance.batch_size 10', async () => {
    const meta = (await (await h.app.request('/.well-known/openid-credential-issuer')).json()) as Record<string, unknown>;
    expect(meta.batch_credential_issuance).toEqual({ batch_size: 10 });
  });

  it('issues one credential per proof, in order, each bound to its key with its own status index and salts', async () => {
    const token = await freshAccessToken(h);
    const c = await nonce(h);
    const holders = Array.from({ length: 10 }, () => generateEs256KeyPair());
    const res = await credentialRequest(h, token, credentialBody(...holders.map((k) => proofJwt(k, h, { nonce: c }))));
    expect(res.status).toBe(200);
    const { credentials } = (await res.json()) as { credentials: { credential: string }[] };
    expect(credentials).toHaveLength(10);
    const idxs = new Set<number>();
    const salts = new Set<string>();
    for (const [i, { credential }] of credentials.entries()) {
      const verified = await verifySdJwtVc(credential, {
        now: h.now(),
        resolveIssuerKey: () => publicKeyFromJwk(h.deps.keys.current.publicJwk),
        allowedAlgs: ['ES256'],
      });
      const cnf = verified.payload.cnf as { jwk: Parameters<typeof jwkThumbprint>[0] };
      expect(jwkThumbprint(cnf.jwk)).toBe(jwkThumbprint(holders[i]?.publicJwk as Parameters<typeof jwkThumbprint>[0]));
      const idx = (verified.payload.status as { status_list: { idx: number } }).status_list.idx;
      idxs.add(idx);
      expect((await findCredentialByStatusIndex(h.deps.sql, STATUS_LIST_ID, idx))?.holder_jwk_thumbprint).toBe(jwkThumbprint(cnf.jwk));
      for (const d of decodeSdJwt(credential).disclosures) salts.add(d.salt);
    }
    expect(idxs.size).toBe(10);
    // Fresh salts everywhere: no disclosure salt repeats across the batch.
    expect(salts.size).toBe(credentials.reduce((n, { credential }) => n + decodeSdJwt(credential).disclosures.length, 0));
  });

  it('refuses more than 10 proofs, two proofs by one key, and proofs with different nonces', async () => {
    const c = await nonce(h);
    const eleven = Array.from({ length: 11 }, () => proofJwt(generateEs256KeyPair(), h, { nonce: c }));
    const tooMany = await credentialRequest(h, await freshAccessToken(h), credentialBody(...eleven));
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ error: 'invalid_credential_request' });

    const same = generateEs256KeyPair();
    const dup = await credentialRequest(
      h,
      await freshAccessToken(h),
      credentialBody(proofJwt(same, h, { nonce: c }), proofJwt(same, h, { nonce: c })),
    );
    expect(await dup.json()).toMatchObject({ error: 'invalid_proof' });

    const c2 = await nonce(h);
    const mixed = await credentialRequest(
      h,
      await freshAccessToken(h),
      credentialBody(proofJwt(generateEs256KeyPair(), h, { nonce: c }), proofJwt(generateEs256KeyPair(), h, { nonce: c2 })),
    );
    expect(await mixed.json()).toMatchObject({ error: 'invalid_proof' });
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM credentials').get()).toEqual({ n: 0 });
  });
});
