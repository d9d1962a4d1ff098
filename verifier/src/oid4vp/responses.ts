import { timingSafeEqual } from 'node:crypto';
import { type ErrorCode, parseWith, ShomeiError, vpTokenSchema } from '@shomei/shared';
import { z } from 'zod';
import type { VerifierContext } from '../context.js';
import { buildEvidence } from '../evidence/evidence.js';
import { stackFrames } from '../log.js';
import type { MatchRecord } from '../matching/match.js';
import type { ClientRow, PresentationRequestRow } from '../store/types.js';
import { runVerification } from '../verify/run-verification.js';
import type { VerificationResult } from '../verify/verify-presentation.js';
import { CREDENTIAL_QUERY_ID } from './presets.js';
import { policyOf, recordAad, resultAad } from './requests.js';

export const MAX_VP_TOKEN_LENGTH = 512 * 1024;

const stateSchema = z.string().min(1).max(256);
const vpResponseSchema = z.object({ vp_token: z.string().min(1).max(MAX_VP_TOKEN_LENGTH), state: stateSchema });
const errorResponseSchema = z.object({
  error: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be an OAuth error code'),
  error_description: z.string().max(1000).optional(),
  state: stateSchema,
});

export type DirectPostBody = z.infer<typeof vpResponseSchema> | z.infer<typeof errorResponseSchema>;

/** Parses the form fields of a `direct_post` response: either a `vp_token` or an `error`. */
export function parseDirectPost(form: Record<string, string>): DirectPostBody {
  if (form.vp_token !== undefined) return parseWith(vpResponseSchema, form, 'presentation response');
  if (form.error !== undefined) return parseWith(errorResponseSchema, form, 'error response');
  throw new ShomeiError('invalid_request', 'the response needs vp_token or error');
}

export interface DirectPostOutcome {
  status: 'accepted' | 'rejected';
  errors: VerificationResult['errors'];
}

/**
 * Handles a wallet's `direct_post`. The request is claimed atomically before anything is
 * verified, so exactly one response per request is ever processed: a second one, even a
 * concurrent one, gets `replay`. A response whose `state` does not match claims nothing.
 */
export async function receiveDirectPost(ctx: VerifierContext, id: string, body: DirectPostBody): Promise<DirectPostOutcome> {
  const row = await ctx.store.requests.get(id);
  if (!row) throw new ShomeiError('not_found', 'no such presentation request');
  if (!sameString(body.state, row.state)) throw new ShomeiError('invalid_request', 'state does not match the presentation request');
  if (row.status !== 'pending' && row.status !== 'processing') {
    throw new ShomeiError('replay', 'the presentation request has already been answered');
  }
  const claimedAt = ctx.now().getTime();
  if (!(await ctx.store.requests.claim(id, claimedAt, claimedAt - (ctx.claimTimeoutSeconds ?? 30) * 1000))) {
    const again = await ctx.store.requests.get(id);
    if (again?.status === 'pending') throw new ShomeiError('expired', 'the presentation request has expired');
    throw new ShomeiError('replay', 'the presentation request has already been answered');
  }

  let result: VerificationResult;
  let seen: Record<string, unknown> = {};
  try {
    if ('error' in body) result = refusal(body.error, ctx.now());
    else ({ result, seen } = await verifyVpToken(ctx, row, body.vp_token));
  } catch (e) {
    ctx.log.error(`oid4vp: verifying the response to request ${id} failed unexpectedly\n${stackFrames(e)}`);
    result = rejected(ctx.now(), 'internal', 'the response could not be processed');
  }
  const status = result.valid ? 'accepted' : 'rejected';
  const client = await ctx.store.clients.get(row.clientId);
  const policy = policyOf(row);
  // The evidence record is written in the transaction that completes the request: a crash leaves
  // either both (the answer stands) or neither (the claim is taken over by the wallet's retry).
  const evidence =
    client &&
    buildEvidence(
      {
        client,
        requestId: id,
        kind: 'oid4vp',
        request: { preset: row.preset, claims: row.paths, optional_claims: policy.optional, purpose: row.purpose, policy },
        result,
        disclosed: seen,
        presentation: 'vp_token' in body ? body.vp_token : '',
        now: ctx.now(),
      },
      ctx.sealer,
    );
  const completed = await ctx.store.requests.complete(id, {
    status,
    sealedResult: ctx.sealer.seal(JSON.stringify(result), resultAad(id)),
    completedAt: ctx.now().getTime(),
    claimedAt,
    ...(evidence ? { evidence } : {}),
  });
  if (completed === false) throw new ShomeiError('replay', 'the presentation request has already been answered');
  const codes = result.errors.map((e) => e.code).join(',');
  ctx.log.info(`oid4vp: request ${id} ${status}${codes ? ` (${codes})` : ''}${result.sandbox ? ' [sandbox credential]' : ''}`);
  if (client) notify(ctx, client, { id, status, completedAt: ctx.now(), codes: result.errors.map((e) => e.code) });
  return { status, errors: result.errors };
}

function notify(
  ctx: VerifierContext,
  client: ClientRow,
  done: { id: string; status: 'accepted' | 'rejected'; completedAt: Date; codes: string[] },
) {
  if (!client.webhookUrl || !client.sealedWebhookSecret) return;
  let secret: string;
  try {
    secret = ctx.sealer.unseal(client.sealedWebhookSecret, webhookSecretAad(client.id));
  } catch {
    ctx.log.error(`webhook: the secret of client ${client.id} cannot be unsealed`);
    return;
  }
  ctx.webhooks.send(client.webhookUrl, secret, {
    type: 'presentation_request.completed',
    id: done.id,
    status: done.status,
    completed_at: done.completedAt.toISOString(),
    error_codes: done.codes,
  });
}

export const webhookSecretAad = (clientId: string): string => `webhook-secret:${clientId}`;

async function verifyVpToken(
  ctx: VerifierContext,
  row: PresentationRequestRow,
  vpToken: string,
): Promise<{ result: VerificationResult; seen: Record<string, unknown> }> {
  const fail = (message: string) => ({ result: rejected(ctx.now(), 'malformed', message), seen: {} });
  let json: unknown;
  try {
    json = JSON.parse(vpToken);
  } catch {
    return fail('vp_token is not JSON');
  }
  const parsed = vpTokenSchema.safeParse(json);
  if (!parsed.success) return fail('vp_token must map credential query ids to presentations');
  const ids = Object.keys(parsed.data);
  const presentations = parsed.data[CREDENTIAL_QUERY_ID];
  if (!presentations || ids.length !== 1) return fail(`vp_token must answer exactly the credential query "${CREDENTIAL_QUERY_ID}"`);
  const [presentation] = presentations;
  if (presentation === undefined || presentations.length !== 1) return fail('vp_token must carry exactly one presentation');
  const policy = policyOf(row);
  const record = row.sealedRecord ? (JSON.parse(ctx.sealer.unseal(row.sealedRecord, recordAad(row.id))) as MatchRecord) : undefined;
  // Match mode: the result holds per-field true/false only; `seen` keeps the claims for the evidence.
  const { result, disclosed: seen } = await runVerification(ctx, {
    presentation,
    expectedNonce: row.nonce,
    expectedAud: ctx.identity.clientId,
    // A wallet answering a request this verifier made always binds its answer to it.
    requireKeyBinding: true,
    requiredPaths: row.paths,
    optionalPaths: policy.optional,
    extraClaims: policy.extra_claims,
    minAssurance: policy.min_assurance,
    maxCredentialAgeSeconds: policy.max_credential_age_seconds,
    record,
  });
  return { result, seen };
}

function refusal(error: string, now: Date): VerificationResult {
  if (error === 'access_denied') return rejected(now, 'consent_refused', 'the person declined to share the requested claims');
  return rejected(now, 'request_invalid', `the wallet answered with error ${error}`);
}

function rejected(now: Date, code: ErrorCode, message: string): VerificationResult {
  return {
    valid: false,
    errors: [{ code, message }],
    issuer: null,
    vct: null,
    assurance_level: null,
    disclosed: {},
    status: 'unknown',
    checked_at: now.toISOString(),
    key_binding: 'absent',
  };
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
