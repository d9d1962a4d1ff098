import type { Job } from '@shomei/shared';
import type { IssuerDeps } from '../deps.js';
import { recheckCrls } from '../lifecycle/crl-recheck.js';

/**
 * Re-checks the CRLs behind credentials issued on a JPKI certificate every `crlRecheckSeconds`, and
 * revokes those whose certificate was revoked since. Only a JPKI-configured issuer has this job.
 */
export function crlRecheckJob(deps: IssuerDeps): Job | undefined {
  if (!deps.proofing.jpki) return undefined;
  return {
    name: 'crl-recheck',
    everyMs: deps.settings.crlRecheckSeconds * 1000,
    // Revocations are shared rows: one replica re-checks at a time.
    exclusive: true,
    run: async () => {
      const r = await recheckCrls(deps);
      deps.log(
        `crl re-check: ${r.checked_certificates} certificate(s), ${r.revoked_credentials.length} credential(s) revoked, ${r.unavailable} unavailable`,
      );
    },
  };
}
