import { decodeSdJwt, publicKeyFromJwk, verifySdJwtVc } from '@shomei/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { openIssuerDeps } from './deps.js';
import { createIssuerApp } from './http/app.js';
import { SIGNING_KEY_PURPOSE } from './keys.js';
import { BASE, createHarness, type Harness, issueOne, SECRET } from './testing/harness.js';

let h: Harness;
afterEach(() => h.close());

describe('signing key rotation', () => {
  it('publishes old and new keys; credentials signed with the old key keep verifying against the published set', async () => {
    h = await createHarness();
    const before = await issueOne(h);
    const oldKid = h.deps.keys.current.kid;
    // What `shomei-issuer keys rotate` does, then a restart on the same database and secret.
    await h.deps.vault.createEs256Key(SIGNING_KEY_PURPOSE);
    h.db.close();
    const deps = await openIssuerDeps({
      dbFile: h.dbFile,
      secret: SECRET,
      baseUrl: BASE,
      now: h.now,
      log: () => {},
      sandbox: h.deps.sandbox,
    });
    h.deps = deps;
    h.app = createIssuerApp(deps);
    expect(deps.keys.all).toHaveLength(2);
    expect(deps.keys.current.kid).not.toBe(oldKid);

    const jwks = (await (await h.app.request('/.well-known/jwt-vc-issuer')).json()) as { jwks: { keys: { kid: string }[] } };
    expect(jwks.jwks.keys.map((k) => k.kid)).toEqual(deps.keys.all.map((k) => k.kid));
    const did = (await (await h.app.request('/.well-known/did.json')).json()) as { verificationMethod: unknown[] };
    expect(did.verificationMethod).toHaveLength(2);

    const after = await issueOne(h);
    for (const [credential, kid] of [
      [before.credential, oldKid],
      [after.credential, deps.keys.current.kid],
    ] as const) {
      expect(decodeSdJwt(credential).issuerJws.header.kid).toBe(kid);
      const verified = await verifySdJwtVc(credential, {
        now: h.now(),
        allowedAlgs: ['ES256'],
        resolveIssuerKey: (_iss, header) => {
          const key = jwks.jwks.keys.find((k) => k.kid === header.kid);
          if (!key) throw new Error('unknown kid');
          return publicKeyFromJwk(key as Parameters<typeof publicKeyFromJwk>[0]);
        },
      });
      expect(verified.payload.iss).toBe(BASE);
    }
    await deps.sql.close();
  });
});
