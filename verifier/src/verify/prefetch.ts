import { type ParsedJws, parseJws, verifyJwsSignature } from '@shomei/shared';
import type { VerificationSources } from './sources.js';

/**
 * Loads what verification will read from memory: the issuer's keys (when discoverable and not
 * cached) and the credential's status list. The status list URI is fetched only once the
 * issuer's signature over it checks out, so a forged credential cannot make the verifier
 * request URLs of its choosing.
 */
export async function prefetchForPresentation(ctx: VerificationSources, presentation: string): Promise<void> {
  let jws: ParsedJws;
  try {
    // Only the issuer-signed JWT is needed here; disclosures are decoded once, by verification.
    const cut = presentation.indexOf('~');
    if (cut <= 0) return;
    jws = parseJws(presentation.slice(0, cut));
  } catch {
    return; // verification reports what is wrong
  }
  const { header, payload } = jws;
  const iss = payload.iss;
  if (typeof iss !== 'string') return;
  // Configured issuers: keys if not cached. With anchors: the issuer's accreditations too.
  await ctx.trust.ensureKeys(iss, typeof header.kid === 'string' ? header.kid : undefined);
  if (!ctx.trust.isTrusted(iss)) return;
  const status = payload.status as { status_list?: { uri?: unknown } } | undefined;
  const uri = status?.status_list?.uri;
  if (typeof uri !== 'string') return;
  // Hot path: the list is cached and fresh, so nothing to fetch and no signature to check here.
  if (ctx.statusLists.needsFetch && !ctx.statusLists.needsFetch(uri, iss)) return;
  try {
    verifyJwsSignature(jws, ctx.trust.resolveKey(iss, header), { allowed: ctx.trust.settings?.().allowedAlgs ?? ['ES256', 'EdDSA'] });
  } catch {
    return;
  }
  await ctx.statusLists.ensure(uri, iss);
}
