import { decodeSdJwt, generateEs256KeyPair, IDENTITY_CONFIGURATION_ID, IDENTITY_VCT, jwkThumbprint, type KeyPair } from '@shomei/shared';
import { describe, expect, it } from 'vitest';
import { credentialBody, credentialRequest, freshAccessToken, makeOffer, nonce, proofJwt, redeem, useHarness } from '../testing/harness.js';

// The pre-1.0 request shapes the credential endpoint tolerates (see request-shape.ts), each answered
// in the shape it was asked in, and none of them weakening a proof check.
const h = useHarness();

const holder = generateEs256KeyPair();
const singular = (jwt: string) => ({ proof_type: 'jwt', jwt });

async function errorOf(res: Response): Promise<{ status: number; error: string }> {
  const body = (await res.json()) as { error: string };
  return { status: res.status, error: body.error };
}

function issuedShapes(): unknown[] {
  const rows = h.db.prepare("SELECT data FROM audit_log WHERE action = 'credential.issued' ORDER BY seq").all() as { data: string }[];
  return rows.map((r) => (JSON.parse(r.data) as { request_shape?: unknown }).request_shape);
}

function boundTo(credential: string): string {
  const { payload } = decodeSdJwt(credential).issuerJws;
  return jwkThumbprint((payload as { cnf: { jwk: KeyPair['publicJwk'] } }).cnf.jwk);
}

describe('credential request shapes', () => {
  it('OpenID4VCI 1.0 (proofs) is recorded as oid4vci-1.0 and logs no warning', async () => {
    const res = await credentialRequest(h, await freshAccessToken(h), credentialBody(proofJwt(holder, h, { nonce: await nonce(h) })));
    expect(res.status).toBe(200);
    expect(Object.keys((await res.json()) as object)).toEqual(['credentials']);
    expect(issuedShapes()).toEqual(['oid4vci-1.0']);
    expect(h.logs.filter((l) => l.includes('warning'))).toEqual([]);
  });

  it('a singular proof (drafts 13–15) gets a credential in the 1.0/draft-15 shape, audited as proof-singular with a warning', async () => {
    const body = {
      credential_configuration_id: IDENTITY_CONFIGURATION_ID,
      proof: singular(proofJwt(holder, h, { nonce: await nonce(h) })),
    };
    const res = await credentialRequest(h, await freshAccessToken(h), body);
    expect(res.status).toBe(200);
    const json = (await res.json()) as { credentials: { credential: string }[] };
    expect(Object.keys(json)).toEqual(['credentials']);
    expect(json.credentials).toHaveLength(1);
    expect(boundTo(json.credentials[0]?.credential as string)).toBe(jwkThumbprint(holder.publicJwk));
    expect(issuedShapes()).toEqual(['proof-singular']);
    const warnings = h.logs.filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('(proof-singular)');
  });

  it('refuses both proof and proofs with invalid_credential_request, and spends nothing', async () => {
    const token = await freshAccessToken(h);
    const c_nonce = await nonce(h);
    const jwt = proofJwt(holder, h, { nonce: c_nonce });
    const both = { credential_configuration_id: IDENTITY_CONFIGURATION_ID, proof: singular(jwt), proofs: { jwt: [jwt] } };
    expect(await errorOf(await credentialRequest(h, token, both))).toEqual({ status: 400, error: 'invalid_credential_request' });
    const retry = await credentialRequest(h, token, credentialBody(jwt));
    expect(retry.status).toBe(200);
  });

  it('a singular proof is checked like any other: wrong nonce, wrong aud, wrong proof_type are refused', async () => {
    const token = await freshAccessToken(h);
    const req = (proof: unknown) => credentialRequest(h, token, { credential_configuration_id: IDENTITY_CONFIGURATION_ID, proof });
    expect(await errorOf(await req(singular(proofJwt(holder, h, { nonce: 'made-up' }))))).toMatchObject({ error: 'invalid_nonce' });
    const wrongAud = singular(proofJwt(holder, h, { nonce: await nonce(h), aud: 'https://elsewhere.example' }));
    expect(await errorOf(await req(wrongAud))).toMatchObject({ error: 'invalid_proof' });
    const cwt = { proof_type: 'cwt', cwt: 'x' };
    expect(await errorOf(await req(cwt))).toMatchObject({ error: 'invalid_proof' });
    const forged = proofJwt(holder, h, { nonce: await nonce(h) }).replace(/\.[^.]+$/, `.${'A'.repeat(86)}`);
    expect(await errorOf(await req(singular(forged)))).toMatchObject({ error: 'invalid_proof' });
  });

  it.each(['vc+sd-jwt', 'dc+sd-jwt'])(
    'a draft-13 request (format %s + vct + proof) gets the draft-13 answer {credential, c_nonce}',
    async (format) => {
      const body = { format, vct: IDENTITY_VCT, proof: singular(proofJwt(holder, h, { nonce: await nonce(h) })) };
      const res = await credentialRequest(h, await freshAccessToken(h), body);
      expect(res.status).toBe(200);
      const json = (await res.json()) as { credential: string; c_nonce: string; c_nonce_expires_in: number; credentials?: unknown };
      expect(Object.keys(json).sort()).toEqual(['c_nonce', 'c_nonce_expires_in', 'credential']);
      expect(boundTo(json.credential)).toBe(jwkThumbprint(holder.publicJwk));
      expect(json.c_nonce_expires_in).toBe(300);
      expect(issuedShapes()).toEqual(['draft-13']);
      expect(h.logs.some((l) => l.startsWith('warning:') && l.includes('(draft-13)'))).toBe(true);

      // The c_nonce of the answer is a real one: the next request may use it, once.
      const next = { format, vct: IDENTITY_VCT, proof: singular(proofJwt(holder, h, { nonce: json.c_nonce })) };
      expect((await credentialRequest(h, await freshAccessToken(h), next)).status).toBe(200);
      expect(await errorOf(await credentialRequest(h, await freshAccessToken(h), next))).toMatchObject({ error: 'invalid_nonce' });
    },
  );

  it('a draft-14 request (format + vct + proofs) gets draft 14 §8.3 credentials as strings', async () => {
    const other = generateEs256KeyPair();
    const c_nonce = await nonce(h);
    const body = {
      format: 'vc+sd-jwt',
      vct: IDENTITY_VCT,
      proofs: { jwt: [proofJwt(holder, h, { nonce: c_nonce }), proofJwt(other, h, { nonce: c_nonce })] },
    };
    const res = await credentialRequest(h, await freshAccessToken(h), body);
    expect(res.status).toBe(200);
    const json = (await res.json()) as { credentials: string[]; c_nonce: string };
    expect(json.credentials.map(boundTo)).toEqual([jwkThumbprint(holder.publicJwk), jwkThumbprint(other.publicJwk)]);
    expect(typeof json.c_nonce).toBe('string');
    expect(issuedShapes()).toEqual(['draft-14-proofs', 'draft-14-proofs']);
  });

  it('refuses a vct or format it does not issue (unknown_credential_configuration) and malformed format requests (invalid_credential_request)', async () => {
    const token = await freshAccessToken(h);
    const proof = singular(proofJwt(holder, h, { nonce: await nonce(h) }));
    const cases: [unknown, string][] = [
      [{ format: 'vc+sd-jwt', vct: 'urn:example:other', proof }, 'unknown_credential_configuration'],
      [{ format: 'mso_mdoc', doctype: 'org.iso.18013.5.1.mDL', proof }, 'unknown_credential_configuration'],
      [{ credential_configuration_id: 'other', proof }, 'unknown_credential_configuration'],
      [{ format: 'vc+sd-jwt', proof }, 'invalid_credential_request'],
      [
        { format: 'vc+sd-jwt', vct: IDENTITY_VCT, credential_configuration_id: IDENTITY_CONFIGURATION_ID, proof },
        'invalid_credential_request',
      ],
      [{ vct: IDENTITY_VCT, proof }, 'invalid_credential_request'],
      [{ credential_configuration_id: IDENTITY_CONFIGURATION_ID }, 'invalid_credential_request'],
    ];
    for (const [body, error] of cases) {
      expect(await errorOf(await credentialRequest(h, token, body)), JSON.stringify(body)).toEqual({ status: 400, error });
    }
    expect(issuedShapes()).toEqual([]);
  });

  it('the token response carries a usable c_nonce for wallets of drafts 13–14', async () => {
    const offer = await makeOffer(h);
    const token = (await (await redeem(h, offer.code, offer.tx_code)).json()) as {
      access_token: string;
      c_nonce: string;
      c_nonce_expires_in: number;
    };
    expect(token.c_nonce_expires_in).toBe(300);
    const body = { format: 'vc+sd-jwt', vct: IDENTITY_VCT, proof: singular(proofJwt(holder, h, { nonce: token.c_nonce })) };
    expect((await credentialRequest(h, token.access_token, body)).status).toBe(200);
  });
});
