import { ShomeiError } from '@shomei/shared';
import type { VerifierIdentity } from '../verifier-identity.js';

/**
 * `redirect_uri:<uri>` (OpenID4VP 1.0 §5.9.3): the verifier is named by where it wants the answer,
 * and nothing proves who runs that URI. Such requests cannot be signed (there is no key to trust),
 * so a signed one is refused rather than shown as if the signature meant something. With
 * `direct_post` the value must be the response_uri itself.
 */
export function identifyByRedirectUri(uri: string, signed: boolean, responseUri: string): VerifierIdentity {
  if (signed) throw new ShomeiError('request_invalid', 'a redirect_uri verifier cannot sign its request (OpenID4VP 1.0 §5.9.3)');
  if (uri !== responseUri) throw new ShomeiError('request_invalid', 'a redirect_uri client id must be the response_uri');
  return { prefix: 'redirect_uri', value: uri, verified: false, kid: null, certificate: null };
}
