// The set-up the verifyPresentation tests share (verify-presentation, policy, catalog.negative): one issuer
// stand-in, a trust store pinning its key, and its status list ingested up front, so that those tests make no
// HTTP request. It was written out three times; the files differ only in the details `useVerificationFixture`
// takes as a parameter.
import type { StatusValue } from '@shomei/shared';
import { afterAll, beforeAll } from 'vitest';
import { StatusListCache } from '../status/status-list-cache.js';
import { TrustStore, type TrustStoreConfig } from '../trust/trust-store.js';
import type { VerifyPresentationOptions } from '../verify/verify-presentation.js';
import { type IssuerStandIn, startIssuerStandIn } from './issuer-stand-in.js';

/** The fixed time the verifications run at (and the stand-in issuer's clock). */
export const NOW = new Date('2026-11-21T03:00:00Z');
export const now = () => NOW;
/** The nonce and audience the verifier expects. */
export const NONCE = 'bm9uY2Utb2YtYXQtbGVhc3QtMTI4LWJpdHM';
export const AUD = 'decentralized_identifier:did:web:127.0.0.1%3A5000';
/** Key-binding input for `present`: a wallet answering that nonce and audience at NOW. */
export const kb = { nonce: NONCE, aud: AUD, iat: NOW };

/** Policy added to an issuer's trust entry beside its pinned key (e.g. `max_assurance`, `vcts`). */
export type TrustEntryPolicy = Omit<TrustStoreConfig['issuers'][number], 'iss' | 'keys'>;

/** A TrustStore clocked at NOW that trusts only `issuer`, by its pinned key (no discovery), under `policy`. */
export function pinnedTrustStore(issuer: IssuerStandIn, policy: TrustEntryPolicy = {}): TrustStore {
  return new TrustStore({ issuers: [{ iss: issuer.iss, keys: [{ ...issuer.key.publicJwk, kid: issuer.kid }], ...policy }] }, { now });
}

export interface VerificationFixtureSetup {
  /** Policy of the issuer's trust entry. */
  trustEntry?: TrustEntryPolicy;
  /** Status-list entries set before the list is ingested, as [idx, status]. */
  statuses?: readonly (readonly [number, StatusValue])[];
}

export interface VerificationFixture {
  readonly issuer: IssuerStandIn;
  readonly trust: TrustStore;
  readonly statusLists: StatusListCache;
  /** Options verifying at NOW with this trust and these status lists, expecting NONCE and AUD; `over` replaces any of them. */
  options(over?: Partial<VerifyPresentationOptions>): VerifyPresentationOptions;
}

/**
 * Registers `beforeAll`/`afterAll` hooks that start the issuer stand-in, pin its key in a TrustStore and ingest
 * its status list into a StatusListCache (both clocked at NOW), and close it afterwards. The returned object's
 * fields are readable inside tests and hooks.
 */
export function useVerificationFixture(setup: VerificationFixtureSetup = {}): VerificationFixture {
  // issuer, trust and statusLists are filled in by the beforeAll hook, which runs before any test reads them.
  const fixture = {
    options: (over = {}) => ({
      now: NOW,
      trust: fixture.trust,
      statusLists: fixture.statusLists,
      expectedNonce: NONCE,
      expectedAud: AUD,
      ...over,
    }),
  } as VerificationFixture;
  beforeAll(async () => {
    const issuer = await startIssuerStandIn(now);
    const trust = pinnedTrustStore(issuer, setup.trustEntry);
    const statusLists = new StatusListCache({ trust, now });
    for (const [idx, status] of setup.statuses ?? []) issuer.list.set(idx, status);
    statusLists.ingest(issuer.statusUri, issuer.iss, issuer.statusToken());
    Object.assign(fixture, { issuer, trust, statusLists });
  });
  afterAll(() => fixture.issuer?.close());
  return fixture;
}
