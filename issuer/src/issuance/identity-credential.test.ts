import { generateEs256KeyPair } from '@shomei/shared';
import { SAMPLE_IDENTITY } from '@shomei/shared/identity/sample';
import { describe, expect, it } from 'vitest';
import { identityCredentialInput, verificationEvidence } from './identity-credential.js';

const proofing = {
  level: 'IAL2',
  evidenceType: 'document',
  evidenceMethod: 'pipp',
  proofedAt: Date.parse('2026-10-01T09:00:00.789Z'),
} as const;

describe('the identity credential shape, shared by the online and the batch paths', () => {
  it('states the proofing as OIDC Identity Assurance evidence, to the second, members in a fixed order', () => {
    const evidence = verificationEvidence(proofing);
    expect(JSON.stringify(evidence)).toBe(
      '{"trust_framework":"jp_aml","assurance_level":"IAL2","time":"2026-10-01T09:00:00Z","evidence":[{"type":"document","method":"pipp","time":"2026-10-01T09:00:00Z"}]}',
    );
    expect(verificationEvidence({ ...proofing, sandbox: true }).sandbox).toBe(true);
    expect('sandbox' in verificationEvidence({ ...proofing, sandbox: false })).toBe(false);
  });

  it('makes the identity claims disclosable and the evidence visible, with age_equal_or_over always present', () => {
    const input = identityCredentialInput({
      issuer: 'https://issuer.example',
      identity: SAMPLE_IDENTITY,
      proofing,
      holderJwk: generateEs256KeyPair().publicJwk,
      status: { idx: 7, uri: 'https://issuer.example/status-lists/1' },
      issuedAt: new Date('2026-11-21T03:00:00Z'),
      expiresAt: new Date('2027-11-21T03:00:00Z'),
      sdAlg: 'sha-256',
    });
    expect(input).toMatchObject({ vct: expect.any(String), containersNotDisclosable: ['age_equal_or_over'], sdAlg: 'sha-256' });
    expect(input.visible).toEqual({ verification: verificationEvidence(proofing) });
    expect(input.claims.family_name).toBe(SAMPLE_IDENTITY.family_name);
  });
});
