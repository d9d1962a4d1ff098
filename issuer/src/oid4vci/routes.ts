import { bearerToken, readForm, readJson } from '@shomei/shared/http-server';
import { Hono } from 'hono';
import type { IssuerDeps } from '../deps.js';
import { clientAddress } from '../http/client-address.js';
import { smallBody } from '../http/limits.js';
import { RateLimiter } from '../http/rate-limit.js';
import { issueCredential, requireAccessToken } from './credential.js';
import { authorizationServerMetadata, issuerMetadata } from './metadata.js';
import { createNonce } from './nonce.js';
import { offerByReference } from './offer-by-reference.js';
import { parseTokenRequest, redeemPreAuthorizedCode } from './token.js';

const NO_STORE = { 'cache-control': 'no-store' };

/** OpenID4VCI 1.0 endpoints: metadata, offers by reference, token (pre-authorized code), nonce, credential. */
export function oid4vciRoutes(deps: IssuerDeps): Hono {
  const app = new Hono();
  const offerFetches = new RateLimiter(deps.sql, 'offer-fetch', deps.settings.offerFetchesPerMinute, 60_000);
  app.get('/.well-known/openid-credential-issuer', (c) =>
    c.json(issuerMetadata(deps.baseUrl, deps.settings.displayName, deps.settings.batchSize)),
  );
  app.get('/.well-known/oauth-authorization-server', (c) => c.json(authorizationServerMetadata(deps.baseUrl)));

  // The offer behind a credential_offer_uri. It holds the pre-authorized code: never cached; limited per address.
  app.get('/credential-offer/:code', async (c) => {
    await offerFetches.hit(clientAddress(c), deps.now().getTime());
    return c.json(await offerByReference(deps, c.req.param('code')), 200, NO_STORE);
  });

  app.post('/token', smallBody, async (c) => {
    const { code, txCode } = parseTokenRequest(await readForm(c));
    return c.json(await redeemPreAuthorizedCode(deps, code, txCode), 200, NO_STORE);
  });

  app.post('/nonce', smallBody, async (c) => c.json({ c_nonce: await createNonce(deps) }, 200, NO_STORE));

  app.post('/credential', smallBody, async (c) => {
    // The token is checked before the body is read, so an unauthenticated caller learns nothing about its request.
    const grant = await requireAccessToken(deps, bearerToken(c));
    const body = await readJson(c, { code: 'invalid_credential_request' });
    return c.json(await issueCredential(deps, grant, body), 200, NO_STORE);
  });
  return app;
}
