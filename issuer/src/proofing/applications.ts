import { randomUUID } from 'node:crypto';
import {
  type AssuranceLevel,
  type IdentityRecord,
  identityRecordSchema,
  isShomeiError,
  isUniqueViolation,
  parseWith,
  ShomeiError,
} from '@shomei/shared';
import type { IssuerDeps } from '../deps.js';
import { createOffer } from '../issuance/offers.js';
import { matchesDigest, randomToken, sha256 } from '../lib/secrets.js';
import { deleteApplicationImages } from './documents.js';
import { mapJpkiAttributes } from './jpki/attributes.js';
import { verifyJpkiSubmission } from './jpki/verify.js';
import { verifyRelianceAssertion } from './reliance.js';
import {
  type ApplicationRow,
  countOfferMade,
  credentialIdsOf,
  filesOf,
  findApplication,
  findApplicationByUpstreamRef,
  insertApplication,
  spendChallenge,
  transition,
} from './store.js';
import { decisionSchema, jpkiSubmissionSchema, newApplicationSchema } from './z-applications.js';

/** The applicant's view of an application: no personal value. */
export interface ApplicationView {
  id: string;
  method: string;
  state: string;
  assurance_level: AssuranceLevel | null;
  reason: string | null;
  created_at: string;
  decided_at: string | null;
  offers_left: number;
}

export interface CreatedApplication extends ApplicationView {
  /** Bearer secret for following the application; shown once, stored as a digest. */
  secret: string;
  /** jpki: the one-time challenge to sign, and until when. */
  challenge?: string;
  challenge_expires_at?: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function viewOf(row: ApplicationRow, maxOffers: number): ApplicationView {
  return {
    id: row.id,
    method: row.method,
    state: row.state,
    assurance_level: row.assurance_level,
    reason: row.reason,
    created_at: new Date(row.created_at).toISOString(),
    decided_at: iso(row.decided_at),
    offers_left: row.state === 'approved' ? Math.max(0, maxOffers - row.offers_made) : 0,
  };
}

/** Checks the application secret; unknown id and wrong secret answer alike. */
export async function requireApplication(deps: IssuerDeps, id: string, secret: string | undefined): Promise<ApplicationRow> {
  const row = await findApplication(deps.sql, id);
  if (!row || !secret || !matchesDigest(secret, row.secret_hash)) {
    throw new ShomeiError('unauthorized', 'no application with this id and secret');
  }
  return row;
}

function sealIdentity(deps: IssuerDeps, id: string, identity: IdentityRecord): string {
  return deps.vault.seal(JSON.stringify(identity), `application:${id}`);
}

export function unsealApplicationIdentity(deps: IssuerDeps, row: ApplicationRow): IdentityRecord | undefined {
  if (!row.identity_sealed) return undefined;
  const json = JSON.parse(deps.vault.unseal(row.identity_sealed, `application:${row.id}`)) as unknown;
  return parseWith(identityRecordSchema, json, 'stored identity record', 'internal');
}

/** `POST /v1/applications`: starts an application by one of the proofing methods. */
export async function createApplication(deps: IssuerDeps, body: unknown): Promise<CreatedApplication> {
  const input = parseWith(newApplicationSchema, body, 'application');
  const now = deps.now();
  const id = randomUUID();
  const secret = randomToken();
  const base = { id, method: input.method, secret_hash: sha256(secret), created_at: now.getTime() };
  const actor = `applicant:${id}`;

  if (input.method === 'jpki') {
    if (!deps.proofing.jpki)
      throw new ShomeiError('invalid_request', 'this issuer does not offer the jpki method (no trust anchors configured)');
    const challenge = randomToken();
    const expires = now.getTime() + deps.settings.challengeTtlSeconds * 1000;
    await insertApplication(deps.sql, {
      ...base,
      state: 'awaiting_signature',
      challenge_hash: sha256(challenge),
      challenge_expires_at: expires,
    });
    await deps.audit({ actor, action: 'application.created', subject: id, data: { method: 'jpki' } });
    const row = (await findApplication(deps.sql, id)) as ApplicationRow;
    return {
      ...viewOf(row, deps.settings.maxOffersPerApplication),
      secret,
      challenge,
      challenge_expires_at: new Date(expires).toISOString(),
    };
  }

  if (input.method === 'document') {
    await insertApplication(deps.sql, { ...base, state: 'awaiting_documents', identity_sealed: sealIdentity(deps, id, input.identity) });
    await deps.audit({ actor, action: 'application.created', subject: id, data: { method: 'document' } });
    const row = (await findApplication(deps.sql, id)) as ApplicationRow;
    return { ...viewOf(row, deps.settings.maxOffersPerApplication), secret };
  }

  // reliance: verified before anything is stored; a refused assertion leaves only an audit entry.
  let verified: Awaited<ReturnType<typeof verifyRelianceAssertion>>;
  try {
    verified = verifyRelianceAssertion(input.assertion, deps.proofing.upstreams, deps.baseUrl, now);
  } catch (e) {
    if (isShomeiError(e))
      await deps.audit({ actor: 'anonymous', action: 'application.refused', data: { method: 'reliance', code: e.code } });
    throw e;
  }
  const replay = () => new ShomeiError('replay', 'this assertion has already been used');
  try {
    await deps.sql.transaction(async (tx) => {
      if (await findApplicationByUpstreamRef(tx, verified.ref)) throw replay();
      await insertApplication(tx, { ...base, state: 'pending_review' });
      await transition(tx, id, ['pending_review'], now.getTime(), {
        state: 'approved',
        identity_sealed: sealIdentity(deps, id, verified.identity),
        assurance_level: verified.level,
        upstream_ref: verified.ref,
        evidence: JSON.stringify({ upstream: verified.upstream, upstream_level: verified.upstreamLevel, verified_at: verified.verifiedAt }),
        decided_by: 'system',
      });
      await deps.audit(
        { actor, action: 'application.created', subject: id, data: { method: 'reliance', upstream: verified.upstream } },
        tx,
      );
      await deps.audit(
        {
          actor: 'system',
          action: 'application.approved',
          subject: id,
          data: { method: 'reliance', assurance_level: verified.level, upstream_level: verified.upstreamLevel },
        },
        tx,
      );
    });
  } catch (e) {
    // The same assertion at once on two replicas: both found no application, the unique
    // upstream_ref lets one commit and the other is the replay it is.
    if (isUniqueViolation(e)) throw replay();
    throw e;
  }
  const row = (await findApplication(deps.sql, id)) as ApplicationRow;
  return { ...viewOf(row, deps.settings.maxOffersPerApplication), secret };
}

/**
 * `POST /v1/applications/:id/jpki`: the signed challenge and the certificate chain. The challenge
 * is spent first, so it is good for one submission whatever its outcome; a failed check refuses
 * the application with the check's code.
 */
export async function submitJpki(deps: IssuerDeps, row: ApplicationRow, body: unknown): Promise<ApplicationView> {
  const trust = deps.proofing.jpki;
  if (!trust || row.method !== 'jpki') throw new ShomeiError('application_state', 'this application does not take a JPKI signature');
  const input = parseWith(jpkiSubmissionSchema, body, 'JPKI submission');
  const now = deps.now();
  const at = now.getTime();
  if (row.challenge_used_at !== null || !(await spendChallenge(deps.sql, row.id, at))) {
    throw new ShomeiError('challenge_used', 'this challenge has already been answered; start a new application');
  }
  const actor = `applicant:${row.id}`;
  const refuse = async (e: unknown): Promise<never> => {
    const code = isShomeiError(e) ? e.code : 'internal';
    await transition(deps.sql, row.id, ['awaiting_signature'], at, {
      state: 'refused',
      reason: code,
      decided_by: 'system',
      evidence: JSON.stringify({ code }),
    });
    await deps.audit({ actor: 'system', action: 'application.refused', subject: row.id, data: { method: 'jpki', code } });
    throw e;
  };
  if ((row.challenge_expires_at ?? 0) <= at)
    await refuse(new ShomeiError('challenge_expired', 'the challenge has expired; start a new application'));
  await deps.audit({ actor, action: 'application.submitted', subject: row.id, data: { method: 'jpki' } });

  let result: Awaited<ReturnType<typeof verifyJpkiSubmission>>;
  let identity: IdentityRecord;
  try {
    // The challenge is kept only as a digest: the applicant sends it back with its signature.
    if (!matchesDigest(input.challenge, row.challenge_hash ?? '')) {
      throw new ShomeiError('challenge_signature_invalid', 'the signed challenge is not the one this application was given');
    }
    const signature = Buffer.from(input.signature, 'base64url');
    result = await verifyJpkiSubmission({ chain: input.certificate_chain, signature, challenge: input.challenge }, trust, now);
    const mapped = mapJpkiAttributes(result.attributes);
    identity = parseWith(
      identityRecordSchema,
      {
        family_name: mapped.family_name,
        given_name: mapped.given_name,
        family_name_kana: input.supplement.family_name_kana,
        given_name_kana: input.supplement.given_name_kana,
        birthdate: mapped.birthdate,
        gender: mapped.gender,
        address: { postal_code: input.supplement.postal_code, ...mapped.address },
        ...(input.supplement.phone_number ? { phone_number: input.supplement.phone_number } : {}),
      },
      'identity from the certificate',
      'certificate_invalid',
    );
  } catch (e) {
    return refuse(e);
  }
  await transition(deps.sql, row.id, ['awaiting_signature'], at, {
    state: 'approved',
    identity_sealed: sealIdentity(deps, row.id, identity),
    assurance_level: 'IAL3',
    cert_issuer: result.certIssuer,
    cert_serial: result.certSerial,
    evidence: JSON.stringify({ cert_fingerprint: result.certFingerprint, cert_not_after: result.notAfter }),
    decided_by: 'system',
  });
  await deps.audit({
    actor: 'system',
    action: 'application.approved',
    subject: row.id,
    data: { method: 'jpki', assurance_level: 'IAL3', cert_serial: result.certSerial, cert_fingerprint: result.certFingerprint },
  });
  return viewOf((await findApplication(deps.sql, row.id)) as ApplicationRow, deps.settings.maxOffersPerApplication);
}

/** An operator's decision on a document application in review. */
export async function decideApplication(deps: IssuerDeps, id: string, actor: string, body: unknown): Promise<ApplicationView> {
  const input = parseWith(decisionSchema, body, 'decision');
  const row = await findApplication(deps.sql, id);
  if (!row) throw new ShomeiError('not_found', 'no such application');
  if (row.state !== 'pending_review') throw new ShomeiError('application_state', `the application is ${row.state}, not pending_review`);
  const at = deps.now().getTime();
  const digests = Object.fromEntries((await filesOf(deps.sql, id)).map((f) => [f.kind, f.sha256]));
  if (input.decision === 'approve') {
    const typed = unsealApplicationIdentity(deps, row);
    if (!typed) throw new ShomeiError('internal', 'the application holds no identity');
    const corrections = input.corrections ?? {};
    const merged = {
      ...typed,
      ...corrections,
      address: { ...typed.address, ...((corrections.address as Record<string, unknown> | undefined) ?? {}) },
    };
    const identity = parseWith(identityRecordSchema, merged, 'corrected identity');
    const corrected = Object.keys(corrections).sort();
    if (
      !(await transition(deps.sql, id, ['pending_review'], at, {
        state: 'approved',
        identity_sealed: sealIdentity(deps, id, identity),
        assurance_level: 'IAL2',
        decided_by: actor,
      }))
    ) {
      throw new ShomeiError('application_state', 'the application was decided meanwhile');
    }
    await deps.audit({
      actor,
      action: 'application.approved',
      subject: id,
      data: { method: row.method, assurance_level: 'IAL2', corrected, images: digests },
    });
  } else {
    if (
      !(await transition(deps.sql, id, ['pending_review'], at, {
        state: 'rejected',
        reason: input.reason,
        identity_sealed: null,
        decided_by: actor,
      }))
    ) {
      throw new ShomeiError('application_state', 'the application was decided meanwhile');
    }
    await deps.audit({
      actor,
      action: 'application.rejected',
      subject: id,
      data: { method: row.method, reason: input.reason, images: digests },
    });
  }
  await deleteApplicationImages(deps, id);
  return viewOf((await findApplication(deps.sql, id)) as ApplicationRow, deps.settings.maxOffersPerApplication);
}

export interface OfferForApplicant {
  offer_uri: string;
  /** The same offer by reference (`credential_offer_uri`). */
  offer_uri_by_reference: string;
  tx_code: string;
  expires_at: string;
}

/**
 * Before a new offer on a JPKI application: its certificate must still be off the CRL (a person
 * who moved or lost the card since approval gets no fresh credential on the old certificate).
 */
export async function requireCertificateCurrent(deps: IssuerDeps, row: ApplicationRow): Promise<void> {
  const trust = deps.proofing.jpki;
  if (row.method !== 'jpki' || !row.cert_serial || !row.cert_issuer) return;
  const ca = trust?.anchors.find((a) => a.subject === row.cert_issuer);
  if (!trust || !ca) throw new ShomeiError('upstream_unavailable', 'the certificate authority of this application is no longer configured');
  if ((await trust.crls.isRevoked(ca, row.cert_serial, deps.now())).revoked) {
    throw new ShomeiError('certificate_revoked', 'the certificate behind this application has since been revoked; apply again');
  }
}

/** `POST /v1/applications/:id/offer`: a fresh credential offer for an approved application. */
export async function offerForApplication(deps: IssuerDeps, row: ApplicationRow): Promise<OfferForApplicant> {
  if (row.state !== 'approved') throw new ShomeiError('application_state', `the application is ${row.state}, not approved`);
  if (!(await countOfferMade(deps.sql, row.id, deps.settings.maxOffersPerApplication))) {
    throw new ShomeiError('application_state', 'no offers left for this application');
  }
  const identity = unsealApplicationIdentity(deps, row);
  if (!identity || !row.assurance_level) throw new ShomeiError('internal', 'the approved application holds no identity');
  const proofedAt = new Date(row.decided_at ?? row.updated_at);
  const level = row.assurance_level;
  const offer = await deps.sql.transaction(async (tx) => {
    const created = await createOffer(
      deps,
      {
        identity,
        assuranceLevel: level,
        evidence: { type: row.method, method: row.method },
        proofedAt,
        sandbox: false,
        applicationId: row.id,
      },
      tx,
    );
    await deps.audit(
      { actor: `applicant:${row.id}`, action: 'offer.created', subject: created.offerId, data: { application: row.id } },
      tx,
    );
    return created;
  });
  return {
    offer_uri: offer.offerUri,
    offer_uri_by_reference: offer.offerUriByReference,
    tx_code: offer.txCode,
    expires_at: offer.expiresAt.toISOString(),
  };
}

/**
 * What an operator sees of an application (`GET /v1/admin/applications[/:id]`), the personal
 * values included: they review them. Mapped from the storage rows member by member.
 */
export interface OperatorApplicationView extends ApplicationView {
  /** The typed (or proven) identity; null before any was given. */
  identity: IdentityRecord | null;
  /** What the proofing established so far (method specific: document digests, JPKI checks, …). */
  evidence: unknown;
  /** JPKI: the signing certificate's issuer and serial. */
  cert: { issuer: string | null; serial: string } | null;
  /** Uploaded images: `available` is false once the file was deleted after the decision (the digest stays). */
  files: { kind: string; media_type: string; size: number; sha256: string; available: boolean }[];
  /** The credentials issued from this application's offers. */
  credentials: { id: string; status: string }[];
  /** The operator who decided, if any. */
  decided_by: string | null;
}

export async function operatorView(deps: IssuerDeps, row: ApplicationRow): Promise<OperatorApplicationView> {
  const [files, credentials] = [await filesOf(deps.sql, row.id), await credentialIdsOf(deps.sql, row.id)];
  return {
    ...viewOf(row, deps.settings.maxOffersPerApplication),
    identity: unsealApplicationIdentity(deps, row) ?? null,
    evidence: JSON.parse(row.evidence) as unknown,
    cert: row.cert_serial ? { issuer: row.cert_issuer, serial: row.cert_serial } : null,
    files: files.map((f) => ({
      kind: f.kind,
      media_type: f.media_type,
      size: f.size,
      sha256: f.sha256,
      available: f.path !== null,
    })),
    credentials: credentials.map((c) => ({ id: c.id, status: c.status })),
    decided_by: row.decided_by,
  };
}
