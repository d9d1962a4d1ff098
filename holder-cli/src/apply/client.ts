import { type FetchOptions, httpFetch, ShomeiError } from '@shomei/shared';
import { parseWith } from '@shomei/shared/validation';
import { z } from 'zod';
import { sanitize } from '../ui/text.js';

// The issuer's answers are untrusted input: they are printed to the person's terminal and an
// offer URI is followed. Each answer is checked here, at the edge, before anything uses it:
// identifiers and codes in a plain character set, free text bounded (and sanitized when printed).
const token = (max: number) => z.string().regex(new RegExp(`^[A-Za-z0-9._:-]{1,${max}}$`), 'unexpected characters or length');
const isoTime = z.iso.datetime({ offset: true });

const applicationViewSchema = z.object({
  id: token(64),
  method: token(32),
  state: z.enum(['awaiting_signature', 'awaiting_documents', 'pending_review', 'approved', 'rejected', 'refused']),
  assurance_level: z.enum(['IAL1', 'IAL2', 'IAL3']).nullable(),
  reason: z.string().max(1000).nullable(),
  created_at: isoTime,
  decided_at: isoTime.nullable(),
  offers_left: z.number().int().min(0).max(1000),
});

const createdApplicationSchema = applicationViewSchema.extend({
  secret: token(256),
  challenge: z.string().max(512).optional(),
  challenge_expires_at: isoTime.optional(),
});

const applicationOfferSchema = z.object({
  offer_uri: z
    .string()
    .max(8192)
    .regex(/^[\x21-\x7e]+$/, 'must be a URI'),
  tx_code: token(32),
  expires_at: isoTime,
});

/** The applicant's view of an application at a Shomei issuer (no personal value). */
export type ApplicationView = z.infer<typeof applicationViewSchema>;
export type CreatedApplication = z.infer<typeof createdApplicationSchema>;
export type ApplicationOffer = z.infer<typeof applicationOfferSchema>;

/** An issuer's refusal, with its stable code (e.g. certificate_revoked) kept apart from the text. */
export class ApplicationRefused extends ShomeiError {
  constructor(
    readonly remoteCode: string,
    readonly httpStatus: number,
    detail: string,
  ) {
    super(
      httpStatus === 401 ? 'unauthorized' : httpStatus >= 500 ? 'upstream_unavailable' : 'invalid_request',
      // Both come from the issuer and end up on a terminal: no control or bidi characters, bounded.
      `${sanitize(remoteCode, 64)}: ${sanitize(detail, 300)}`,
    );
  }
}

/** Talks to the identity-proofing endpoints of a Shomei issuer (`/v1/applications`). */
export class ApplicationClient {
  private readonly base: string;

  constructor(issuer: string) {
    this.base = issuer.replace(/\/+$/, '');
  }

  private async call<S extends z.ZodType>(path: string, options: FetchOptions, expected: number[], schema: S): Promise<z.infer<S>> {
    const res = await httpFetch(`${this.base}${path}`, { timeoutMs: 30_000, ...options });
    if (!expected.includes(res.status)) {
      let code = `http_${res.status}`;
      let detail = 'the issuer refused the request';
      try {
        const problem = res.json<{ code?: unknown; detail?: unknown }>();
        if (typeof problem.code === 'string') code = problem.code;
        if (typeof problem.detail === 'string') detail = problem.detail;
      } catch {
        // not problem+json
      }
      throw new ApplicationRefused(code, res.status, detail);
    }
    let body: unknown;
    try {
      body = res.json<unknown>();
    } catch {
      throw new ShomeiError('upstream_unavailable', 'the issuer answered with something that is not JSON');
    }
    return parseWith(schema, body, "the issuer's answer", 'upstream_unavailable');
  }

  private json(body: unknown, secret?: string): FetchOptions {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret) headers.authorization = `Bearer ${secret}`;
    return { method: 'POST', headers, body: JSON.stringify(body) };
  }

  create(body: Record<string, unknown>): Promise<CreatedApplication> {
    return this.call('/v1/applications', this.json(body), [201], createdApplicationSchema);
  }

  status(id: string, secret: string): Promise<ApplicationView> {
    return this.call(
      `/v1/applications/${encodeURIComponent(id)}`,
      { headers: { authorization: `Bearer ${secret}` } },
      [200],
      applicationViewSchema,
    );
  }

  submitJpki(id: string, secret: string, body: Record<string, unknown>): Promise<ApplicationView> {
    return this.call(`/v1/applications/${encodeURIComponent(id)}/jpki`, this.json(body, secret), [200], applicationViewSchema);
  }

  submitDocuments(
    id: string,
    secret: string,
    files: { kind: string; bytes: Uint8Array; type: string; name: string }[],
  ): Promise<ApplicationView> {
    const form = new FormData();
    for (const f of files) form.append(f.kind, new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: f.type }), f.name);
    return this.call(
      `/v1/applications/${encodeURIComponent(id)}/documents`,
      { method: 'POST', headers: { authorization: `Bearer ${secret}` }, body: form },
      [200],
      applicationViewSchema,
    );
  }

  offer(id: string, secret: string): Promise<ApplicationOffer> {
    return this.call(`/v1/applications/${encodeURIComponent(id)}/offer`, this.json({}, secret), [201], applicationOfferSchema);
  }
}
