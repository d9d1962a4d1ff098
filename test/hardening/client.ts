// Test helpers for the hardening tests over real HTTP: a minimal OpenID4VCI/OpenID4VP client (what a wallet sends,
// without the wallet's storage, so that many holders can be simulated at once) and a real verifier started with a trust file.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  decodeSdJwt,
  generateEs256KeyPair,
  IDENTITY_CONFIGURATION_ID,
  type KeyPair,
  PRE_AUTHORIZED_GRANT,
  PROOF_TYP,
  parseCredentialOfferUri,
  parseJws,
  presentSdJwtVc,
  signJws,
} from '@shomei/shared';
import { BIN, mustRun, type Service, startService } from '../../scripts/lib/harness.mjs';

export interface Redeemable {
  code: string;
  txCode: string;
}

export async function sandboxOffer(issuer: string, adminToken: string, identity: unknown): Promise<Redeemable> {
  const res = await fetch(`${issuer}/v1/sandbox/offers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ identity }),
  });
  if (res.status !== 201) throw new Error(`sandbox offer: ${res.status} ${await res.text()}`);
  const json = (await res.json()) as { offer_uri: string; tx_code: string };
  const parsed = parseCredentialOfferUri(json.offer_uri);
  if (!('offer' in parsed)) throw new Error('offer by reference');
  return { code: parsed.offer.grants[PRE_AUTHORIZED_GRANT]['pre-authorized_code'], txCode: json.tx_code };
}

export async function accessToken(issuer: string, r: Redeemable): Promise<string> {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: PRE_AUTHORIZED_GRANT, 'pre-authorized_code': r.code, tx_code: r.txCode }).toString(),
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export async function cNonce(issuer: string): Promise<string> {
  const res = await fetch(`${issuer}/nonce`, { method: 'POST' });
  return ((await res.json()) as { c_nonce: string }).c_nonce;
}

export function proof(holder: KeyPair, issuer: string, nonce: string): string {
  return signJws(
    { typ: PROOF_TYP, alg: 'ES256', jwk: holder.publicJwk },
    { aud: issuer, iat: Math.floor(Date.now() / 1000), nonce },
    holder.privateKey,
  );
}

export function credentialRequest(issuer: string, token: string, proofJwt: string): Promise<Response> {
  return fetch(`${issuer}/credential`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ credential_configuration_id: IDENTITY_CONFIGURATION_ID, proofs: { jwt: [proofJwt] } }),
  });
}

export interface Prepared {
  holder: KeyPair;
  token: string;
  nonce: string;
}

/** `n` holders each with an access token and a c_nonce, prepared `parallel` at a time. */
export async function prepareHolders(issuer: string, adminToken: string, identity: unknown, n: number, parallel = 25): Promise<Prepared[]> {
  const out: Prepared[] = [];
  for (let i = 0; i < n; i += parallel) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(parallel, n - i) }, async () => {
        const token = await accessToken(issuer, await sandboxOffer(issuer, adminToken, identity));
        return { holder: generateEs256KeyPair(), token, nonce: await cNonce(issuer) };
      }),
    );
    out.push(...batch);
  }
  return out;
}

export function statusIdx(credential: string): number {
  const payload = decodeSdJwt(credential).issuerJws.payload as { status: { status_list: { idx: number } } };
  return payload.status.status_list.idx;
}

/** Fetches a presentation request object and answers it with `credential` (disclosing `paths`) as a wallet would. */
export async function answerFor(requestUri: string, credential: string, holder: KeyPair, paths: string[][]) {
  const url = new URL(requestUri);
  const objectUrl = url.searchParams.get('request_uri') as string;
  const jwt = await (await fetch(objectUrl)).text();
  const payload = parseJws(jwt).payload as {
    nonce: string;
    client_id: string;
    state: string;
    response_uri: string;
    dcql_query: { credentials: { id: string }[] };
  };
  const vp = await presentSdJwtVc(credential, paths, {
    holderKey: holder.privateKey,
    nonce: payload.nonce,
    aud: payload.client_id,
    iat: new Date(),
  });
  const queryId = payload.dcql_query.credentials[0]?.id as string;
  const body = new URLSearchParams({ vp_token: JSON.stringify({ [queryId]: [vp] }), state: payload.state }).toString();
  return { responseUri: payload.response_uri, body, vp };
}

export function postResponse(responseUri: string, body: string): Promise<Response> {
  return fetch(responseUri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
}

/**
 * A real verifier process serving from `<dir>/v` with `trust` written to `<dir>/trust.json`, and the API key
 * of one client ("Shop") created in it first; `env` goes to both commands.
 */
export async function startVerifierWithTrust(
  dir: string,
  trust: unknown,
  env: Record<string, string>,
): Promise<{ verifier: Service; apiKey: string }> {
  const trustFile = join(dir, 'trust.json');
  await writeFile(trustFile, JSON.stringify(trust));
  const data = join(dir, 'v');
  const created = await mustRun(BIN.verifier, ['client', 'create', '--name', 'Shop', '--data', data, '--json'], { env });
  const apiKey = JSON.parse(created.stdout).api_key as string;
  const verifier = await startService(BIN.verifier, ['serve', '--host', '127.0.0.1', '--port', '0', '--data', data, '--trust', trustFile], {
    env,
  });
  return { verifier, apiKey };
}
