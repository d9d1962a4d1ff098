// The verifier negative catalog (SECURITY.md): the cases not already covered elsewhere, one test each, each
// crafted with the issuer's real key so that only the one defect is wrong. The rest of the catalog is in
// verify-presentation.test.ts, policy.test.ts, http/app.test.ts and shared sd-jwt-vc.test.ts (see SECURITY.md).
import { createHmac, hash, randomBytes } from 'node:crypto';
import { b64u, disclosureDigest, IDENTITY_VCT, STATUS, signJws } from '@shomei/shared';
import { describe, expect, it } from 'vitest';
import { HOLDER, present } from '../testing/issuer-stand-in.js';
import { AUD, kb, NONCE, NOW, useVerificationFixture } from '../testing/verification-fixture.js';
import { type VerifyPresentationOptions, verifyPresentation } from './verify-presentation.js';

// Index 1 of the issuer's status list is revoked.
const fx = useVerificationFixture({ statuses: [[1, STATUS.INVALID]] });
const { options } = fx;
const codes = async (vp: string, over: Partial<VerifyPresentationOptions> = {}) =>
  (await verifyPresentation(vp, options(over))).errors.map((e) => e.code);
const disclosure = (arr: unknown[]) => b64u(Buffer.from(JSON.stringify(arr)));
const salt = () => randomBytes(16).toString('base64url');

/** An SD-JWT VC signed by the trusted issuer key with a payload we choose, presented with a valid key binding. */
function crafted(payloadOver: Record<string, unknown>, disclosures: string[], headerOver: Record<string, unknown> = {}): string {
  const iat = Math.floor(NOW.getTime() / 1000) - 60;
  const payload = {
    iss: fx.issuer.iss,
    vct: IDENTITY_VCT,
    iat,
    exp: iat + 86_400,
    cnf: { jwk: HOLDER.publicJwk },
    status: { status_list: { idx: 7, uri: fx.issuer.statusUri } },
    verification: { trust_framework: 'jp_aml', assurance_level: 'IAL2' },
    _sd_alg: 'sha-256',
    ...payloadOver,
  };
  const jwt = signJws({ alg: 'ES256', typ: 'dc+sd-jwt', kid: fx.issuer.kid, ...headerOver }, payload, fx.issuer.key.privateKey);
  const sdPart = `${jwt}~${disclosures.map((d) => `${d}~`).join('')}`;
  const kbJwt = signJws(
    { typ: 'kb+jwt', alg: 'ES256' },
    { nonce: NONCE, aud: AUD, iat: Math.floor(NOW.getTime() / 1000), sd_hash: hash('sha256', sdPart, 'base64url') },
    HOLDER.privateKey,
  );
  return `${sdPart}${kbJwt}`;
}

describe('verifier negative catalog (the cases not covered elsewhere)', () => {
  it('control: the crafted credential with one disclosure is valid', async () => {
    const d = disclosure([salt(), 'birthdate', '1991-08-14']);
    expect((await verifyPresentation(crafted({ _sd: [disclosureDigest(d)] }, [d]), options())).valid).toBe(true);
  });

  it('alg none (unsigned issuer JWT) → unsupported_alg', async () => {
    const vp = await present(await fx.issuer.issue(), [['birthdate']], kb);
    const [jwt, ...rest] = vp.split('~');
    const [h, p, sig] = (jwt as string).split('.');
    const header = JSON.parse(Buffer.from(h as string, 'base64url').toString());
    const none = `${b64u(Buffer.from(JSON.stringify({ ...header, alg: 'none' })))}.${p}`;
    expect(await codes([`${none}.${sig}`, ...rest].join('~'))).toEqual(['unsupported_alg']);
    // With the empty signature of an unsecured JWT it is not even a JWS.
    expect(await codes([`${none}.`, ...rest].join('~'))).toEqual(['malformed']);
  });

  it("HS256 keyed with the issuer's public key (key confusion) → unsupported_alg", async () => {
    const d = disclosure([salt(), 'birthdate', '1991-08-14']);
    const payload = { iss: fx.issuer.iss, vct: IDENTITY_VCT, iat: 1, _sd: [disclosureDigest(d)], cnf: { jwk: HOLDER.publicJwk } };
    for (const secret of [
      JSON.stringify(fx.issuer.key.publicJwk),
      fx.issuer.key.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    ]) {
      const input = `${b64u(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'dc+sd-jwt', kid: fx.issuer.kid })))}.${b64u(Buffer.from(JSON.stringify(payload)))}`;
      const jwt = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      expect(await codes(`${jwt}~${d}~`, { expectedNonce: undefined, expectedAud: undefined })).toEqual(['unsupported_alg']);
    }
  });

  it('the same digest twice in _sd → malformed', async () => {
    const d = disclosure([salt(), 'birthdate', '1991-08-14']);
    expect(await codes(crafted({ _sd: [disclosureDigest(d), disclosureDigest(d)] }, [d]))).toEqual(['malformed']);
  });

  it('non-string _sd entries → malformed', async () => {
    const d = disclosure([salt(), 'birthdate', '1991-08-14']);
    for (const bad of [[disclosureDigest(d), 42], [disclosureDigest(d), { x: 1 }], [disclosureDigest(d), null], 'not-an-array']) {
      expect(await codes(crafted({ _sd: bad }, [d]))).toEqual(['malformed']);
    }
  });

  it('a disclosure carrying the claim name _sd or ... → disclosure_invalid', async () => {
    for (const name of ['_sd', '...']) {
      const d = disclosure([salt(), name, ['x']]);
      expect(await codes(crafted({ _sd: [disclosureDigest(d)] }, [d]))).toEqual(['disclosure_invalid']);
    }
  });

  it('a disclosed claim that overwrites a signed visible claim (iss) → refused', async () => {
    const d = disclosure([salt(), 'iss', 'https://evil.example']);
    const r = await verifyPresentation(crafted({ _sd: [disclosureDigest(d)] }, [d]), options());
    expect(r.valid).toBe(false);
    expect(r.issuer).not.toBe('https://evil.example');
  });

  it('a disclosure nested 20,000 levels deep (arrays, objects) → refused with a stable code, no crash', async () => {
    for (const [open, close] of [
      ['[', ']'],
      ['{"a":', '}'],
    ] as const) {
      const deep = `${open.repeat(20_000)}1${close.repeat(20_000)}`;
      const d = b64u(Buffer.from(`["${salt()}","birthdate",${deep}]`));
      const r = await verifyPresentation(crafted({ _sd: [disclosureDigest(d)] }, [d]), options());
      expect(r.errors.map((e) => e.code)).toEqual(['malformed']);
    }
  });

  it('an attacker signing with its own key (unknown kid) under a trusted iss → untrusted_issuer', async () => {
    const d = disclosure([salt(), 'birthdate', '1991-08-14']);
    const good = crafted({ _sd: [disclosureDigest(d)] }, [d], { kid: 'attacker-key' });
    expect(await codes(good)).toEqual(['untrusted_issuer']);
  });
});
