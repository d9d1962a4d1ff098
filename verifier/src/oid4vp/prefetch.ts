import { decodeSdJwt, verifyJwsSignature } from '@shomei/shared';
import type { Oid4vpContext } from './context.js';

/**
 * Loads what verification will read from memory: the issuer's keys (when discoverable and not
 * cached) and the credential's status list. The status list URI is fetched only once the
 * issuer's signature over it checks out, so a forged credential cannot make the verifier
 * request URLs of its choosing.
 */
export async function prefetchForPresentation(ctx: Pick<Oid4vpContext, 'trust' | 'statusLists'>, presentation: string): Promise<void> {
  let jws: ReturnType<typeof decodeSdJwt>['issuerJws'];
  try {
    jws = decodeSdJwt(presentation).issuerJws;
  } catch {
    return; // verification reports what is wrong
  }
  const { header, payload } = jws;
  const iss = payload.iss;
  if (typeof iss !== 'string' || !ctx.trust.isTrusted(iss)) return;
  await ctx.trust.ensureKeys(iss, typeof header.kid === 'string' ? header.kid : undefined);
  try {
    verifyJwsSignature(jws, ctx.trust.resolveKey(iss, header), { allowed: ['ES256', 'EdDSA'] });
  } catch {
    return;
  }
  const status = payload.status as { status_list?: { uri?: unknown } } | undefined;
  const uri = status?.status_list?.uri;
  if (typeof uri === 'string') await ctx.statusLists.ensure(uri, iss);
}
