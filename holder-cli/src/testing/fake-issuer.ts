import { randomBytes } from 'node:crypto';
import {
  credentialOfferUri,
  generateEs256KeyPair,
  IDENTITY_CONFIGURATION_ID,
  IDENTITY_VCT,
  PRE_AUTHORIZED_GRANT,
  PROOF_TYP,
  type PublicJwk,
  parseJws,
  publicKeyFromJwk,
  StatusList,
  signStatusListToken,
  verifyJwsSignature,
} from '@shomei/shared';
import { bearerToken } from '@shomei/shared/http-server';
import { Hono } from 'hono';
import { issueTestCredential, NOW, newTestIssuer, startServer, type TestIssuer } from './fixtures.js';

export type IssuerQuirk = 'none' | 'bind-to-other-key' | 'sign-with-unpublished-key' | 'stale-nonce-once' | 'hang' | 'short-batch';

export interface FakeIssuerOptions {
  /** Advertise batch_credential_issuance with this batch_size (default: no batch issuance). */
  batchSize?: number;
  /** Give a refresh token with each access token, redeemable for more copies. */
  refreshTokens?: boolean;
  /** The issuer's clock (default the fixed test NOW). */
  now?: () => Date;
}

/**
 * A stand-in OpenID4VCI issuer (pre-authorized code with tx_code) for the wallet's tests. It checks
 * the wallet's requests as the real issuer would (form-encoded token request, single-use nonces,
 * the proof JWT's typ, jwk, aud, nonce and signature) and can misbehave on request.
 */
export async function startFakeIssuer(options: FakeIssuerOptions = {}) {
  const refreshTokens = new Set<string>();
  const requests: { proofs: number }[] = [];
  let hanging: (() => void)[] = [];
  const codes = new Map<string, { txCode: string; attemptsLeft: number }>();
  const tokens = new Set<string>();
  const nonces = new Set<string>();
  const issued: string[] = [];
  const proofs: { header: Record<string, unknown>; payload: Record<string, unknown> }[] = [];
  let quirk: IssuerQuirk = 'none';
  let staleNonceServed = false;
  let issuer: TestIssuer = newTestIssuer();
  const oauthError = (error: string, description: string) => ({ error, error_description: description });

  const offers = new Map<string, unknown>();
  const app = new Hono();
  app.get('/offers/:id', (c) => c.json(offers.get(c.req.param('id')) ?? {}, offers.has(c.req.param('id')) ? 200 : 404));
  app.get('/.well-known/openid-credential-issuer', (c) =>
    c.json({
      credential_issuer: issuer.iss,
      credential_endpoint: `${issuer.iss}/credential`,
      nonce_endpoint: `${issuer.iss}/nonce`,
      authorization_servers: [issuer.iss],
      display: [{ name: 'テスト KYC', locale: 'ja-JP' }],
      ...(options.batchSize ? { batch_credential_issuance: { batch_size: options.batchSize } } : {}),
      credential_configurations_supported: {
        [IDENTITY_CONFIGURATION_ID]: {
          format: 'dc+sd-jwt',
          vct: IDENTITY_VCT,
          cryptographic_binding_methods_supported: ['jwk'],
          credential_signing_alg_values_supported: ['ES256'],
          proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
        },
      },
    }),
  );
  app.get('/.well-known/oauth-authorization-server', (c) =>
    c.json({
      issuer: issuer.iss,
      token_endpoint: `${issuer.iss}/token`,
      grant_types_supported: [PRE_AUTHORIZED_GRANT],
      'pre-authorized_grant_anonymous_access_supported': true,
    }),
  );
  app.get('/.well-known/jwt-vc-issuer', (c) =>
    c.json({ issuer: issuer.iss, jwks: { keys: [{ ...issuer.key.publicJwk, kid: issuer.key.kid, alg: 'ES256', use: 'sig' }] } }),
  );
  const statusList = StatusList.empty(1024, 2);
  let forgedStatusKey: ReturnType<typeof generateEs256KeyPair> | undefined;
  app.get('/status-lists/1', (c) =>
    c.body(
      signStatusListToken({
        issuer: issuer.iss,
        uri: `${issuer.iss}/status-lists/1`,
        list: statusList,
        issuedAt: (options.now ?? (() => NOW))(),
        ttl: 300,
        validFor: 3600,
        key: (forgedStatusKey ?? issuer.key).privateKey,
        kid: issuer.key.kid,
      }),
      200,
      { 'content-type': 'application/statuslist+jwt' },
    ),
  );
  app.post('/token', async (c) => {
    if (!c.req.header('content-type')?.startsWith('application/x-www-form-urlencoded')) {
      return c.json(oauthError('invalid_request', 'form body expected'), 400);
    }
    const form = new URLSearchParams(await c.req.text());
    const grant = (refresh: boolean) => {
      const token = randomBytes(16).toString('base64url');
      tokens.add(token);
      const body: Record<string, unknown> = { access_token: token, token_type: 'Bearer', expires_in: 300 };
      if (refresh) {
        const r = randomBytes(16).toString('base64url');
        refreshTokens.add(r);
        body.refresh_token = r;
      }
      return c.json(body);
    };
    if (form.get('grant_type') === 'refresh_token') {
      const r = form.get('refresh_token') ?? '';
      if (!refreshTokens.delete(r)) return c.json(oauthError('invalid_grant', 'unknown refresh token'), 400);
      return grant(true);
    }
    if (form.get('grant_type') !== PRE_AUTHORIZED_GRANT) return c.json(oauthError('invalid_request', 'unsupported grant'), 400);
    const code = codes.get(form.get('pre-authorized_code') ?? '');
    if (!code || code.attemptsLeft === 0) return c.json(oauthError('invalid_grant', 'the code is unknown, used or expired'), 400);
    if (form.get('tx_code') !== code.txCode) {
      code.attemptsLeft -= 1;
      return c.json(oauthError('invalid_grant', `wrong tx_code (${code.attemptsLeft} attempts left)`), 400);
    }
    code.attemptsLeft = 0;
    return grant(options.refreshTokens === true);
  });
  app.post('/nonce', (c) => {
    const nonce = randomBytes(16).toString('base64url');
    nonces.add(nonce);
    c.header('cache-control', 'no-store');
    return c.json({ c_nonce: nonce });
  });
  app.post('/credential', async (c) => {
    const token = bearerToken(c) ?? '';
    if (!tokens.has(token)) return c.json({ error: 'invalid_token' }, 401);
    const body = (await c.req.json()) as { credential_configuration_id?: string; proofs?: { jwt?: string[] } };
    if (body.credential_configuration_id !== IDENTITY_CONFIGURATION_ID) return c.json({ error: 'unknown_credential_configuration' }, 400);
    const jwts = body.proofs?.jwt ?? [];
    const max = options.batchSize ?? 1;
    if (jwts.length === 0 || jwts.length > max) return c.json(oauthError('invalid_credential_request', `1..${max} proofs`), 400);
    requests.push({ proofs: jwts.length });
    const keys: PublicJwk[] = [];
    let nonce: string | undefined;
    for (const jwt of jwts) {
      const proof = parseJws(jwt);
      proofs.push({ header: proof.header, payload: proof.payload });
      const jwk = proof.header.jwk as PublicJwk | undefined;
      if (proof.header.typ !== PROOF_TYP || !jwk || 'kid' in jwk) return c.json(oauthError('invalid_proof', 'bad proof header'), 400);
      verifyJwsSignature(proof, publicKeyFromJwk(jwk), { allowed: ['ES256'] });
      if (proof.payload.aud !== issuer.iss) return c.json(oauthError('invalid_proof', 'wrong aud'), 400);
      if (nonce !== undefined && proof.payload.nonce !== nonce)
        return c.json(oauthError('invalid_proof', 'proofs with different nonces'), 400);
      nonce = String(proof.payload.nonce);
      if (keys.some((k) => k.x === jwk.x && k.y === jwk.y)) return c.json(oauthError('invalid_proof', 'the same key twice'), 400);
      keys.push(jwk);
    }
    if (!nonces.delete(nonce ?? '') || (quirk === 'stale-nonce-once' && !staleNonceServed)) {
      staleNonceServed = true;
      return c.json(oauthError('invalid_nonce', 'the nonce is unknown or used'), 400);
    }
    if (quirk === 'hang') {
      await new Promise<void>((resolve) => hanging.push(resolve));
      return c.json(oauthError('invalid_request', 'gave up'), 503);
    }
    tokens.delete(token);
    const signer =
      quirk === 'sign-with-unpublished-key'
        ? { ...newTestIssuer(issuer.iss), key: { ...generateEs256KeyPair(), kid: issuer.key.kid } }
        : issuer;
    const credentials: { credential: string }[] = [];
    for (const jwk of quirk === 'short-batch' ? keys.slice(1) : keys) {
      const bindTo = quirk === 'bind-to-other-key' ? generateEs256KeyPair().publicJwk : jwk;
      const credential = await issueTestCredential(signer, bindTo, { statusIdx: issued.length, issuedAt: (options.now ?? (() => NOW))() });
      issued.push(credential);
      credentials.push({ credential });
    }
    return c.json({ credentials });
  });

  const server = await startServer(app);
  issuer = newTestIssuer(server.origin);

  /** A new offer (by value, or by reference) with a fresh pre-authorized code and 6-digit tx_code. */
  const offer = (next: IssuerQuirk = 'none', options: { byReference?: boolean } = {}) => {
    quirk = next;
    staleNonceServed = false;
    const code = randomBytes(12).toString('base64url');
    const txCode = String(Math.floor(100_000 + Math.random() * 900_000));
    codes.set(code, { txCode, attemptsLeft: 5 });
    const body = {
      credential_issuer: issuer.iss,
      credential_configuration_ids: [IDENTITY_CONFIGURATION_ID],
      grants: {
        [PRE_AUTHORIZED_GRANT]: {
          'pre-authorized_code': code,
          tx_code: { input_mode: 'numeric' as const, length: 6, description: 'メールで届いた6桁のコード' },
        },
      },
    };
    if (!options.byReference) return { uri: credentialOfferUri(body), txCode };
    const id = randomBytes(6).toString('hex');
    offers.set(id, body);
    return { uri: `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(`${issuer.iss}/offers/${id}`)}`, txCode };
  };

  const close = () => {
    for (const release of hanging) release();
    hanging = [];
    return server.close();
  };
  /** Sets the status of the credential with this status index (0 valid, 1 revoked, 2 suspended). */
  const setStatus = (idx: number, value: number) => statusList.set(idx, value);
  /** Signs the status list with a key the issuer does not publish (as a forger would), or stops. */
  const forgeStatusList = (on: boolean) => {
    forgedStatusKey = on ? generateEs256KeyPair() : undefined;
  };
  return { origin: server.origin, issuer: () => issuer, offer, issued, proofs, requests, setStatus, forgeStatusList, close };
}
