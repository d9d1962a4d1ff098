import { buildDidDocument, didWebForOrigin } from '@shomei/shared';
import { Hono } from 'hono';
import type { IssuerDeps } from '../deps.js';
import { publishedJwk } from '../keys.js';

/** Where verifiers find the issuer's keys: SD-JWT VC issuer metadata and a did:web document. */
export function discoveryRoutes(deps: IssuerDeps): Hono {
  const app = new Hono();
  const keys = deps.keys.all.map(publishedJwk);
  app.get('/.well-known/jwt-vc-issuer', (c) => c.json({ issuer: deps.baseUrl, jwks: { keys } }));
  app.get('/.well-known/did.json', (c) => c.json(buildDidDocument(didWebForOrigin(deps.baseUrl), keys)));
  return app;
}
