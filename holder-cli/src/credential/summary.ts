/** The always-visible facts of an identity credential, read from its signed payload. */
export interface CredentialFacts {
  issuer: string;
  vct: string;
  issuedAt: string | null;
  expiresAt: string | null;
  assuranceLevel: string | null;
  sandbox: boolean;
}

function isoFromSeconds(v: unknown): string | null {
  return typeof v === 'number' && Number.isFinite(v) ? new Date(v * 1000).toISOString() : null;
}

export function credentialFacts(payload: Record<string, unknown>): CredentialFacts {
  const verification = payload.verification;
  const v = typeof verification === 'object' && verification !== null ? (verification as Record<string, unknown>) : {};
  return {
    issuer: String(payload.iss ?? ''),
    vct: String(payload.vct ?? ''),
    issuedAt: isoFromSeconds(payload.iat),
    expiresAt: isoFromSeconds(payload.exp),
    assuranceLevel: typeof v.assurance_level === 'string' ? v.assurance_level : null,
    sandbox: v.sandbox === true,
  };
}
