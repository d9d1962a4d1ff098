// The OpenWallet Foundation's OpenID4VP verifier (@openid4vc/openid4vp 0.4.6, Openid4vpVerifier) behind
// a small node:http server on 127.0.0.1: it serves a did:web document, request objects by reference
// (GET, and POST with a wallet_nonce), and a direct_post response endpoint, and it signs request
// objects with a DID key or an x5c chain of a test CA made with @peculiar/x509.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallbackContext, JwtSigner } from '@openid4vc/oauth2';
import { calculateX509HashClientIdPrefixValue, Openid4vpVerifier } from '@openid4vc/openid4vp';
import { setGlobalConfig } from '@openid4vc/utils';
import { CompactSign, exportJWK } from 'jose';

/** A certificate chain and the leaf's private key, as a verifier deploys them. */
export interface VerifierPki {
  rootPem: string;
  /** leaf, intermediate: standard base64 DER, as `x5c` carries it. */
  x5c: string[];
  leafKey: KeyObject;
  leafDer: Buffer;
}

export type ClientIdForm = 'decentralized_identifier' | 'x509_san_dns' | 'x509_hash' | 'redirect_uri';
/** How the request reaches the wallet: request object by value or by reference (GET or POST), or plain URL parameters. */
export type Delivery = 'value' | 'reference' | 'reference_post' | 'parameters';

export interface RequestOptions {
  form: ClientIdForm;
  delivery: Delivery;
  state?: boolean;
  /** Another chain than the verifier's own (e.g. one under a root the wallet does not know). */
  pki?: VerifierPki;
  /** Sign with `alg: none` (an unsecured request object) whatever the form requires. */
  unsecured?: boolean;
  dcqlQuery: Record<string, unknown>;
}

export interface CreatedRequest {
  id: string;
  uri: string;
  clientId: string;
  nonce: string;
  state: string | undefined;
}

type Payload = Parameters<Openid4vpVerifier['createOpenId4vpAuthorizationRequest']>[0]['authorizationRequestPayload'];

/**
 * @peculiar/x509 loads tsyringe, which requires a Reflect metadata polyfill; none is installed,
 * and a test CA needs only this much of it. Set before the library is imported (dynamically).
 */
function reflectMetadataPolyfill(): void {
  const R = Reflect as unknown as Record<string, unknown>;
  if (typeof R.getMetadata === 'function') return;
  const store = new WeakMap<object, Map<unknown, unknown>>();
  const mapOf = (target: object, prop: unknown) => {
    let byTarget = store.get(target);
    if (!byTarget) {
      byTarget = new Map();
      store.set(target, byTarget);
    }
    const key = `${String(prop)}`;
    let m = byTarget.get(key) as Map<unknown, unknown> | undefined;
    if (!m) {
      m = new Map();
      byTarget.set(key, m);
    }
    return m;
  };
  const getMetadata = (key: unknown, target: object, prop?: unknown): unknown => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
      const m = mapOf(t, prop);
      if (m.has(key)) return m.get(key);
    }
    return undefined;
  };
  const defineMetadata = (key: unknown, value: unknown, target: object, prop?: unknown) => mapOf(target, prop).set(key, value);
  Object.assign(R, {
    getMetadata,
    getOwnMetadata: (key: unknown, target: object, prop?: unknown) => mapOf(target, prop).get(key),
    hasMetadata: (key: unknown, target: object, prop?: unknown) => getMetadata(key, target, prop) !== undefined,
    defineMetadata,
    metadata: (key: unknown, value: unknown) => (target: object, prop?: unknown) => defineMetadata(key, value, target, prop),
  });
}

/** Root CA → intermediate CA → leaf with the dNSName SANs, all P-256, valid for a day either side of now. */
export async function makeVerifierPki(dnsNames: string[], rootName = 'CN=Interop Verifier Root'): Promise<VerifierPki> {
  reflectMetadataPolyfill();
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const gen = async () => (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const notBefore = new Date(Date.now() - 86_400_000);
  const notAfter = new Date(Date.now() + 86_400_000);
  const rootKeys = await gen();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    name: rootName,
    keys: rootKeys,
    notBefore,
    notAfter,
    signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const caKeys = await gen();
  const ca = await x509.X509CertificateGenerator.create({
    subject: 'CN=Interop Verifier CA',
    issuer: root.subject,
    publicKey: caKeys.publicKey,
    signingKey: rootKeys.privateKey,
    notBefore,
    notAfter,
    signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const leafKeys = await gen();
  const leaf = await x509.X509CertificateGenerator.create({
    subject: `CN=${dnsNames[0]}`,
    issuer: ca.subject,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore,
    notAfter,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
    ],
  });
  const leafDer = Buffer.from(leaf.rawData);
  return {
    rootPem: root.toString('pem'),
    x5c: [leafDer.toString('base64'), Buffer.from(ca.rawData).toString('base64')],
    leafKey: (await import('node:crypto')).KeyObject.from(leafKeys.privateKey),
    leafDer,
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

export async function startOwfVerifier(pki: VerifierPki) {
  // The whole exchange runs on loopback http; the library refuses http:// URLs unless told.
  setGlobalConfig({ allowInsecureUrls: true });
  const didKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const didPublicJwk = await exportJWK(didKey.publicKey);
  const leafKeys = new Map<string, KeyObject>([[pki.x5c[0] as string, pki.leafKey]]);

  const callbacks: Omit<CallbackContext, 'generateRandom' | 'clientAuthentication'> = {
    hash: (data, alg) => {
      if (alg !== 'sha-256') throw new Error(`hash ${alg} not needed here`);
      return createHash('sha256').update(data).digest();
    },
    signJwt: async (signer, { header, payload }) => {
      if (signer.method === 'custom' && signer.alg === 'none') {
        const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
        return { jwt: `${b64({ ...header, alg: 'none' })}.${b64(payload)}.`, signerJwk: didPublicJwk as never };
      }
      const key = signer.method === 'x5c' ? leafKeys.get(signer.x5c[0] as string) : didKey.privateKey;
      if (!key) throw new Error('no key for this signer');
      const jwt = await new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ ...header, alg: 'ES256' }).sign(key);
      const signerJwk =
        signer.method === 'x5c'
          ? await exportJWK(new X509Certificate(Buffer.from(signer.x5c[0] as string, 'base64')).publicKey)
          : didPublicJwk;
      return { jwt, signerJwk: signerJwk as never };
    },
    verifyJwt: () => {
      throw new Error('the verifier verifies no JWT here (plain direct_post)');
    },
    decryptJwe: () => {
      throw new Error('no encryption in these tests');
    },
    encryptJwe: () => {
      throw new Error('no encryption in these tests');
    },
  };
  const verifier = new Openid4vpVerifier({ callbacks });

  const requestObjects = new Map<string, string>();
  const onPost = new Map<string, (walletNonce: string | undefined) => Promise<string>>();
  const payloads = new Map<string, Payload>();
  const responses = new Map<string, Record<string, string>>();
  let origin = '';
  let did = '';

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', origin);
      const [, kind, id = ''] = url.pathname.split('/');
      if (req.method === 'GET' && url.pathname === '/.well-known/did.json') {
        const vm = { id: `${did}#key-1`, type: 'JsonWebKey2020', controller: did, publicKeyJwk: didPublicJwk };
        res
          .writeHead(200, { 'content-type': 'application/did+json' })
          .end(JSON.stringify({ id: did, verificationMethod: [vm], assertionMethod: [vm.id] }));
        return;
      }
      if (kind === 'requests' && req.method === 'GET' && requestObjects.has(id)) {
        res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).end(requestObjects.get(id));
        return;
      }
      if (kind === 'requests' && req.method === 'POST' && onPost.has(id)) {
        const form = new URLSearchParams(await readBody(req));
        const jwt = await (onPost.get(id) as (n: string | undefined) => Promise<string>)(form.get('wallet_nonce') ?? undefined);
        res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).end(jwt);
        return;
      }
      if (kind === 'responses' && req.method === 'POST') {
        responses.set(id, Object.fromEntries(new URLSearchParams(await readBody(req))));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      res.writeHead(404).end();
    })().catch((e: unknown) => {
      res.writeHead(500).end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  did = `did:web:127.0.0.1%3A${port}`;

  async function createRequest(o: RequestOptions): Promise<CreatedRequest> {
    const id = randomBytes(8).toString('hex');
    const chain = o.pki ?? pki;
    if (o.pki) leafKeys.set(o.pki.x5c[0] as string, o.pki.leafKey);
    // x509_san_dns binds the response_uri's host to the certificate's DNS name: localhost here.
    const responseOrigin = o.form === 'x509_san_dns' ? `http://localhost:${port}` : origin;
    const responseUri = `${responseOrigin}/responses/${id}`;
    const clientId = {
      decentralized_identifier: `decentralized_identifier:${did}`,
      x509_san_dns: 'x509_san_dns:localhost',
      x509_hash: `x509_hash:${await calculateX509HashClientIdPrefixValue({ x509Certificate: chain.x5c[0] as string, hash: callbacks.hash })}`,
      redirect_uri: `redirect_uri:${responseUri}`,
    }[o.form];
    const signer: JwtSigner = o.unsecured
      ? { method: 'custom', alg: 'none' }
      : o.form === 'x509_san_dns' || o.form === 'x509_hash'
        ? { method: 'x5c', x5c: chain.x5c, alg: 'ES256' }
        : { method: 'did', didUrl: `${did}#key-1`, alg: 'ES256' };
    const nonce = randomBytes(16).toString('base64url');
    const state = o.state === false ? undefined : randomBytes(12).toString('base64url');
    const payload: Payload = {
      response_type: 'vp_token',
      response_mode: 'direct_post',
      client_id: clientId,
      response_uri: responseUri,
      nonce,
      ...(state ? { state } : {}),
      dcql_query: o.dcqlQuery,
      client_metadata: {
        client_name: `OWF verifier (${o.form})`,
        vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } },
      },
    };
    payloads.set(id, payload);
    const requestUri = `${origin}/requests/${id}`;
    if (o.delivery === 'parameters') {
      const made = await verifier.createOpenId4vpAuthorizationRequest({ authorizationRequestPayload: payload });
      return { id, uri: made.authorizationRequest, clientId, nonce, state };
    }
    const jar = { jwtSigner: signer, expiresInSeconds: 300, additionalJwtPayload: { aud: 'https://self-issued.me/v2' } };
    if (o.delivery === 'reference_post') {
      // The request object is made when the wallet POSTs, with the wallet_nonce it sent (§5.10).
      onPost.set(id, async (walletNonce) => {
        const withNonce = { ...payload, ...(walletNonce ? { wallet_nonce: walletNonce } : {}) };
        payloads.set(id, withNonce);
        const made = await verifier.createOpenId4vpAuthorizationRequest({
          authorizationRequestPayload: withNonce,
          jar: { ...jar, requestUri },
          wallet: { expectedNonce: walletNonce },
        });
        return made.jar?.authorizationRequestJwt as string;
      });
      const uri = `openid4vp://?${new URLSearchParams({ client_id: clientId, request_uri: requestUri, request_uri_method: 'post' })}`;
      return { id, uri, clientId, nonce, state };
    }
    const made = await verifier.createOpenId4vpAuthorizationRequest({
      authorizationRequestPayload: payload,
      jar: o.delivery === 'reference' ? { ...jar, requestUri } : jar,
    });
    if (o.delivery === 'reference') requestObjects.set(id, made.jar?.authorizationRequestJwt as string);
    return { id, uri: made.authorizationRequest, clientId, nonce, state };
  }

  /** The OWF verifier's own reading of the response it received for request `id`. */
  async function parseResponse(id: string) {
    const response = responses.get(id);
    const payload = payloads.get(id);
    if (!response || !payload) throw new Error(`no response to ${id}`);
    return verifier.parseOpenid4vpAuthorizationResponse({
      authorizationResponse: response,
      authorizationRequestPayload: payload as Parameters<
        Openid4vpVerifier['parseOpenid4vpAuthorizationResponse']
      >[0]['authorizationRequestPayload'],
      callbacks,
    });
  }

  return {
    origin,
    did,
    responses,
    createRequest,
    parseResponse,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
