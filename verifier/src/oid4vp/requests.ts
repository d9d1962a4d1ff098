import { randomBytes, randomUUID } from 'node:crypto';
import { presentationRequestUri, REQUEST_OBJECT_TYP, type RequestObject, ShomeiError, signJws } from '@shomei/shared';
import type { VerifierContext } from '../context.js';
import type { ClientRow, PresentationRequestRow } from '../store/types.js';
import type { VerificationResult } from '../verify/verify-presentation.js';
import { requestObjectUrl, responseUrl } from './endpoints.js';
import { dcqlQueryFor } from './presets.js';
import { type CreateRequestInput, type RequestPolicy, resolveQuery } from './z-requests.js';

/** Wallets answer with this audience for a request object they fetch (OpenID4VP §5). */
export const SELF_ISSUED_AUDIENCE = 'https://self-issued.me/v2';

export type PublicRequestStatus = 'pending' | 'accepted' | 'rejected' | 'expired';

export interface CreatedPresentationRequest {
  id: string;
  request_uri: string;
  status: 'pending';
  expires_at: string;
}

export interface PresentationRequestView {
  id: string;
  status: PublicRequestStatus;
  preset: string | null;
  claims: string[][];
  optional_claims: string[][];
  mode: 'fill_in' | 'match';
  min_assurance?: string;
  max_credential_age_seconds?: number;
  purpose: string;
  created_at: string;
  expires_at: string;
  completed_at?: string;
  result?: VerificationResult;
}

export async function createPresentationRequest(
  ctx: VerifierContext,
  client: ClientRow,
  input: CreateRequestInput,
): Promise<CreatedPresentationRequest> {
  const query = resolveQuery(input);
  const now = ctx.now().getTime();
  const row: PresentationRequestRow = {
    id: randomUUID(),
    clientId: client.id,
    preset: query.preset,
    paths: query.paths,
    purpose: query.purpose,
    nonce: randomBytes(32).toString('base64url'),
    state: randomBytes(16).toString('base64url'),
    status: 'pending',
    createdAt: now,
    expiresAt: now + ctx.requestTtlSeconds * 1000,
    completedAt: null,
    sealedResult: null,
    policy: JSON.stringify(query.policy),
    sealedRecord: null,
  };
  if (query.record) row.sealedRecord = ctx.sealer.seal(JSON.stringify(query.record), recordAad(row.id));
  await ctx.store.requests.insert(row);
  ctx.log.info(`oid4vp: request ${row.id} created for client ${client.id} (${row.preset ?? 'custom'}, ${row.paths.length} claim(s))`);
  return {
    id: row.id,
    request_uri: presentationRequestUri(ctx.identity.clientId, requestObjectUrl(ctx.baseUrl, row.id)),
    status: 'pending',
    expires_at: new Date(row.expiresAt).toISOString(),
  };
}

/**
 * What a business sees: an unanswered request past its expiry is expired; one being verified
 * shows as pending (it was claimed before expiry), unless it has hung there well past it.
 */
export function publicStatus(row: PresentationRequestRow, now: Date): PublicRequestStatus {
  if (row.status === 'accepted' || row.status === 'rejected') return row.status;
  const deadline = row.status === 'processing' ? row.expiresAt + PROCESSING_GRACE_MS : row.expiresAt;
  return now.getTime() >= deadline ? 'expired' : 'pending';
}

const PROCESSING_GRACE_MS = 60_000;

/** A business's own request; another business's is reported exactly like one that does not exist. */
export async function describePresentationRequest(ctx: VerifierContext, client: ClientRow, id: string): Promise<PresentationRequestView> {
  const row = await ctx.store.requests.get(id);
  if (!row || row.clientId !== client.id) throw new ShomeiError('not_found', 'no such presentation request');
  const view: PresentationRequestView = {
    id: row.id,
    status: publicStatus(row, ctx.now()),
    preset: row.preset,
    claims: row.paths,
    optional_claims: policyOf(row).optional,
    mode: policyOf(row).mode,
    purpose: row.purpose,
    created_at: new Date(row.createdAt).toISOString(),
    expires_at: new Date(row.expiresAt).toISOString(),
  };
  const policy = policyOf(row);
  if (policy.min_assurance) view.min_assurance = policy.min_assurance;
  if (policy.max_credential_age_seconds) view.max_credential_age_seconds = policy.max_credential_age_seconds;
  if (row.completedAt !== null && (view.status === 'accepted' || view.status === 'rejected')) {
    view.completed_at = new Date(row.completedAt).toISOString();
    if (row.sealedResult) view.result = JSON.parse(ctx.sealer.unseal(row.sealedResult, resultAad(row.id))) as VerificationResult;
  }
  return view;
}

/** The signed request object a wallet fetches from `request_uri` (only while the request is open). */
export async function signedRequestObject(ctx: VerifierContext, id: string): Promise<string> {
  const row = await ctx.store.requests.get(id);
  if (!row) throw new ShomeiError('not_found', 'no such presentation request');
  const now = ctx.now();
  const status = publicStatus(row, now);
  if (status === 'expired') throw new ShomeiError('expired', 'the presentation request has expired');
  if (row.status !== 'pending') throw new ShomeiError('replay', 'the presentation request has already been answered');
  const client = await ctx.store.clients.get(row.clientId);
  const { identity } = ctx;
  // No `iss`: OpenID4VP 1.0 §5 makes client_id the verifier's identity and tells wallets to ignore
  // an `iss`, which RFC 9101 §4 only recommends. Worse, a prefixed client id as `iss`
  // (`decentralized_identifier:did:web:…`) does not start the bare DID URL in `kid`, and wallets
  // such as the OWF @openid4vc library refuse that pairing. The EUDI reference verifier sends none.
  const payload: RequestObject & { aud: string } = {
    client_id: identity.clientId,
    response_type: 'vp_token',
    response_mode: 'direct_post',
    response_uri: responseUrl(ctx.baseUrl, row.id),
    nonce: row.nonce,
    state: row.state,
    dcql_query: dcqlQueryFor(row.paths, policyOf(row).optional),
    client_metadata: {
      client_name: client?.name ?? 'unknown',
      vp_formats_supported: {
        'dc+sd-jwt': {
          'sd-jwt_alg_values': [...(ctx.trust.settings?.().allowedAlgs ?? ['ES256'])],
          'kb-jwt_alg_values': ['ES256'],
        },
      },
    },
    purpose: row.purpose,
    aud: SELF_ISSUED_AUDIENCE,
    iat: Math.floor(now.getTime() / 1000),
    exp: Math.floor(row.expiresAt / 1000),
  };
  return signJws({ typ: REQUEST_OBJECT_TYP, alg: 'ES256', kid: identity.verificationMethodId }, payload, identity.key.privateKey);
}

export const recordAad = (id: string): string => `match-record:${id}`;
export const resultAad = (id: string): string => `presentation-result:${id}`;

/** A request's policy; rows from before policies existed are fill-in with every claim required. */
export function policyOf(row: PresentationRequestRow): RequestPolicy {
  if (!row.policy) return { mode: 'fill_in', optional: [] };
  return JSON.parse(row.policy) as RequestPolicy;
}
