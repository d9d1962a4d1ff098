import { isShomeiError } from '@shomei/shared';
import type { IssuerDeps } from '../deps.js';
import { setCredentialStatus } from '../status/set-status.js';

export interface CrlRecheckResult {
  checked_certificates: number;
  revoked_credentials: string[];
  /** Certificates whose CRL could not be read this time (their credentials stay as they are). */
  unavailable: number;
  checked_at: string;
}

interface CertRow {
  cert_issuer: string;
  cert_serial: string;
}

/**
 * Checks, against a freshly read CRL, every certificate behind a credential that is not yet
 * revoked, and revokes the credentials of the certificates now listed (JPKI revocation is what
 * follows an address change, a lost card or a death). Each revocation records why.
 */
export async function recheckCrls(deps: IssuerDeps, actor = 'system'): Promise<CrlRecheckResult> {
  const trust = deps.proofing.jpki;
  const now = deps.now();
  const result: CrlRecheckResult = { checked_certificates: 0, revoked_credentials: [], unavailable: 0, checked_at: now.toISOString() };
  if (!trust) return result;
  trust.crls.invalidate();
  const certs = await deps.sql.all<CertRow>(
    `SELECT DISTINCT a.cert_issuer, a.cert_serial FROM applications a
     JOIN offers o ON o.application_id = a.id JOIN credentials c ON c.offer_id = o.id
     WHERE a.cert_serial IS NOT NULL AND c.status != 'revoked'`,
  );
  for (const cert of certs) {
    const ca = trust.anchors.find((a) => a.subject === cert.cert_issuer);
    result.checked_certificates++;
    let status: { revoked: boolean; date?: string };
    try {
      if (!ca) throw new Error('no anchor');
      status = await trust.crls.isRevoked(ca, cert.cert_serial, now);
    } catch (e) {
      if (!(e instanceof Error) && !isShomeiError(e)) throw e;
      result.unavailable++;
      continue;
    }
    if (!status.revoked) continue;
    const credentials = await deps.sql.all<{ id: string }>(
      `SELECT c.id FROM credentials c JOIN offers o ON o.id = c.offer_id JOIN applications a ON a.id = o.application_id
       WHERE a.cert_issuer = ? AND a.cert_serial = ? AND c.status != 'revoked'`,
      [cert.cert_issuer, cert.cert_serial],
    );
    for (const { id } of credentials) {
      await setCredentialStatus(deps, id, 'revoked', {
        actor,
        reason: `signing certificate ${cert.cert_serial} listed on its CA's CRL (revoked ${status.date ?? 'at an unknown time'})`,
      });
      result.revoked_credentials.push(id);
    }
  }
  await deps.audit({
    actor,
    action: 'crl.rechecked',
    data: { checked: result.checked_certificates, revoked: result.revoked_credentials.length, unavailable: result.unavailable },
  });
  return result;
}
