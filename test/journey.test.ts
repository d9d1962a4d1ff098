import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySDJWT } from '@meeco/sd-jwt';
import { compactVerify, createLocalJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  createPresentationRequest,
  DEMO_IDENTITY,
  getPresentationRequest,
  mustRun,
  type Network,
  newSecret,
  runCli,
  sandboxOfferByCli,
  startNetwork,
  startService,
} from '../scripts/lib/harness.mjs';

// The whole journey across real processes: issuer and verifier as services, the `shomei` wallet
// binary as a person would run it, real HTTP on loopback between all three.
let dir: string;
let net: Network;
let walletEnv: Record<string, string>;
let credentialId: string;

function wallet(args: string[]) {
  return mustRun(BIN.wallet, args, { env: walletEnv });
}

function disclosureNames(presentation: string): string[] {
  const parts = presentation.split('~').slice(1, -1);
  return parts.map((d) => {
    const arr = JSON.parse(Buffer.from(d, 'base64url').toString('utf8')) as unknown[];
    return String(arr.length === 3 ? arr[1] : '(array element)');
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shomei-e2e-'));
  net = await startNetwork(join(dir, 'services'));
  walletEnv = { SHOMEI_HOME: join(dir, 'wallet'), SHOMEI_PASSPHRASE: 'e2e passphrase 🔑' };
  await wallet(['init']);

  const { offer_uri, tx_code } = await sandboxOfferByCli(net.issuer.url, net.adminToken, dir);
  expect(offer_uri).toMatch(/^openid-credential-offer:\/\/\?credential_offer=/);

  await wallet(['receive', offer_uri, '--tx-code', tx_code]);
  const list = JSON.parse((await wallet(['list', '--json'])).stdout) as { id: string }[];
  expect(list).toHaveLength(1);
  credentialId = (list[0] as { id: string }).id;
}, 120_000);

afterAll(async () => {
  await net?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function presentPreset(preset: string) {
  const req = await createPresentationRequest(net.verifier.url, net.apiKey, { preset });
  const out = await wallet(['present', req.request_uri, '--yes', '--json']);
  const shown = JSON.parse(out.stdout) as { presentation?: string; disclosed: string[][] };
  const record = (await getPresentationRequest(net.verifier.url, net.apiKey, req.id)) as {
    status: string;
    result: { valid: boolean; errors: unknown[]; disclosed: Record<string, unknown> };
  };
  return { req, shown, record };
}

describe('end-to-end journey', () => {
  it('age_over_20 discloses the age predicate and nothing else', async () => {
    const { shown, record } = await presentPreset('age_over_20');
    expect(record.status).toBe('accepted');
    expect(record.result.valid).toBe(true);
    expect(record.result.disclosed).toEqual({ age_equal_or_over: { '20': true } });
    expect(shown.disclosed).toEqual([['age_equal_or_over', '20']]);
    if (shown.presentation) expect(disclosureNames(shown.presentation)).toEqual(['20']);
  });

  it('identity_basic discloses exactly name, birthdate and address', async () => {
    const { shown, record } = await presentPreset('identity_basic');
    expect(record.status).toBe('accepted');
    const d = record.result.disclosed;
    expect(Object.keys(d).sort()).toEqual(['address', 'birthdate', 'family_name', 'given_name']);
    expect(d.family_name).toBe(DEMO_IDENTITY.family_name);
    expect(d.birthdate).toBe(DEMO_IDENTITY.birthdate);
    expect((d.address as Record<string, unknown>).locality).toBe('千代田区');
    if (shown.presentation) {
      const names = disclosureNames(shown.presentation);
      expect(names).not.toContain('gender');
      expect(names).not.toContain('phone_number');
      expect(names).not.toContain('family_name#ja-Kana-JP');
      expect(names).not.toContain('20');
    }
  });

  it('an optional claim left out with --only never reaches the verifier', async () => {
    const req = await createPresentationRequest(net.verifier.url, net.apiKey, {
      claims: [{ path: ['family_name'] }, { path: ['address', 'locality'], optional: true }, { path: ['birthdate'], optional: true }],
    });
    const out = await wallet(['present', req.request_uri, '--yes', '--only', 'birthdate', '--json']);
    const shown = JSON.parse(out.stdout) as { disclosed: string[][] };
    expect(shown.disclosed).toEqual([['family_name'], ['birthdate']]);
    const record = (await getPresentationRequest(net.verifier.url, net.apiKey, req.id)) as {
      status: string;
      result: { disclosed: Record<string, unknown> };
    };
    expect(record.status).toBe('accepted');
    expect(record.result.disclosed).toEqual({ family_name: DEMO_IDENTITY.family_name, birthdate: DEMO_IDENTITY.birthdate });
  });

  it('two verifiers get different batch copies: no shared signature, digest or holder key', async () => {
    const secret = newSecret();
    const data = join(dir, 'verifier-b');
    const client = await mustRun(BIN.verifier, ['client', 'create', '--name', 'Other Shop', '--data', data, '--json'], {
      env: { SHOMEI_VERIFIER_SECRET: secret },
    });
    const otherKey = (JSON.parse(client.stdout) as { api_key: string }).api_key;
    const other = await startService(
      BIN.verifier,
      ['serve', '--port', '0', '--data', data, '--trust', join(dir, 'services', 'trust.json')],
      {
        env: { SHOMEI_VERIFIER_SECRET: secret },
      },
    );
    try {
      const seen = [];
      for (const [url, key] of [
        [net.verifier.url, net.apiKey],
        [other.url, otherKey],
      ] as const) {
        const req = await createPresentationRequest(url, key, { preset: 'age_over_20' });
        const shown = JSON.parse((await wallet(['present', req.request_uri, '--yes', '--json'])).stdout) as { presentation: string };
        const [jwt = '', ...rest] = shown.presentation.split('~');
        const payload = JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()) as { _sd: string[]; cnf: unknown };
        seen.push({ signature: jwt.split('.')[2], digests: payload._sd, cnf: JSON.stringify(payload.cnf), disclosures: rest.slice(0, -1) });
      }
      const [a, b] = seen as [(typeof seen)[number], (typeof seen)[number]];
      expect(a.signature).not.toBe(b.signature);
      expect(a.cnf).not.toBe(b.cnf);
      expect(a.digests.filter((d) => b.digests.includes(d))).toEqual([]);
      expect(a.disclosures.filter((d) => b.disclosures.includes(d))).toEqual([]);
    } finally {
      await other.stop();
    }
  });

  it('a replayed response is refused with code replay', async () => {
    const req = await createPresentationRequest(net.verifier.url, net.apiKey, { preset: 'age_over_20' });
    // An eavesdropper who saw the request and later the wallet's answer re-sends that answer.
    const requestObject = await (await fetch(new URL(req.request_uri).searchParams.get('request_uri') as string)).text();
    const payload = JSON.parse(Buffer.from(requestObject.split('.')[1] as string, 'base64url').toString()) as {
      response_uri: string;
      state: string;
    };
    const out = await wallet(['present', req.request_uri, '--yes', '--json']);
    const shown = JSON.parse(out.stdout) as { presentation?: string };
    expect(shown.presentation).toBeTruthy();
    const replay = await fetch(payload.response_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ vp_token: JSON.stringify({ identity: [shown.presentation] }), state: payload.state }),
    });
    expect(replay.status).toBe(409);
    expect(((await replay.json()) as { code: string }).code).toBe('replay');
    // The person scans the used QR code again: the wallet passes on the verifier's code and reason.
    const again = await runCli(BIN.wallet, ['present', req.request_uri, '--yes'], { env: walletEnv });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/HTTP 409, replay\): the presentation request has already been answered/);
    expect(again.stderr).toContain('hint: ask the verifier for a new request');
  });

  it('without a terminal and without --yes the wallet refuses (exit 2) and the request stays pending', async () => {
    const req = await createPresentationRequest(net.verifier.url, net.apiKey, { preset: 'identity_basic' });
    const r = await runCli(BIN.wallet, ['present', req.request_uri], { env: walletEnv });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no terminal to ask for consent');
    const record = (await getPresentationRequest(net.verifier.url, net.apiKey, req.id)) as { status: string };
    expect(record.status).toBe('pending');
  });

  it('shows the credential exactly as issued', async () => {
    const shown = JSON.parse((await wallet(['show', credentialId, '--json'])).stdout) as { credential: string };
    expect(shown.credential.split('~')[0]?.split('.')).toHaveLength(3);
    expect(shown.credential.endsWith('~')).toBe(true);
  });

  it('verifies with an independent SD-JWT implementation given only the published JWKS', async () => {
    const { credential } = JSON.parse((await wallet(['show', credentialId, '--json'])).stdout) as { credential: string };
    const published = (await (await fetch(`${net.issuer.url}/.well-known/jwt-vc-issuer`)).json()) as {
      issuer: string;
      jwks: { keys: Parameters<typeof createLocalJWKSet>[0]['keys'] };
    };
    expect(published.issuer).toBe(net.issuer.url);
    const keySet = createLocalJWKSet(published.jwks);
    // jose checks the issuer signature, @meeco/sd-jwt the disclosures: neither is Shomei's code.
    const claims = await verifySDJWT(
      credential,
      async (jwt) => {
        const { protectedHeader } = await compactVerify(jwt, keySet, { algorithms: ['ES256'] });
        return protectedHeader.typ === 'dc+sd-jwt';
      },
      async (alg) => {
        expect(alg).toBe('sha-256');
        return (data) => createHash('sha256').update(data).digest('base64url');
      },
    );
    expect(claims.iss).toBe(net.issuer.url);
    expect(claims.family_name).toBe(DEMO_IDENTITY.family_name);
    expect((claims.address as Record<string, unknown>).region).toBe('東京都');
    expect((claims.age_equal_or_over as Record<string, unknown>)['20']).toBe(true);
  });
});
