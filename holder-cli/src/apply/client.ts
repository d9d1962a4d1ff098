import { type FetchOptions, httpFetch, ShomeiError } from '@shomei/shared';

/** The applicant's view of an application at a Shomei issuer (no personal value). */
export interface ApplicationView {
  id: string;
  method: string;
  state: 'awaiting_signature' | 'awaiting_documents' | 'pending_review' | 'approved' | 'rejected' | 'refused';
  assurance_level: string | null;
  reason: string | null;
  created_at: string;
  decided_at: string | null;
  offers_left: number;
}

export interface CreatedApplication extends ApplicationView {
  secret: string;
  challenge?: string;
  challenge_expires_at?: string;
}

export interface ApplicationOffer {
  offer_uri: string;
  tx_code: string;
  expires_at: string;
}

/** An issuer's refusal, with its stable code (e.g. certificate_revoked) kept apart from the text. */
export class ApplicationRefused extends ShomeiError {
  constructor(
    readonly remoteCode: string,
    readonly httpStatus: number,
    detail: string,
  ) {
    super(httpStatus === 401 ? 'unauthorized' : httpStatus >= 500 ? 'upstream_unavailable' : 'invalid_request', `${remoteCode}: ${detail}`);
  }
}

/** Talks to the identity-proofing endpoints of a Shomei issuer (`/v1/applications`). */
export class ApplicationClient {
  private readonly base: string;

  constructor(issuer: string) {
    this.base = issuer.replace(/\/+$/, '');
  }

  private async call<T>(path: string, options: FetchOptions, expected: number[]): Promise<T> {
    const res = await httpFetch(`${this.base}${path}`, { timeoutMs: 30_000, ...options });
    if (!expected.includes(res.status)) {
      let code = `http_${res.status}`;
      let detail = 'the issuer refused the request';
      try {
        const problem = res.json<{ code?: string; detail?: string }>();
        code = problem.code ?? code;
        detail = problem.detail ?? detail;
      } catch {
        // not problem+json
      }
      throw new ApplicationRefused(code, res.status, detail);
    }
    return res.json<T>();
  }

  private json(body: unknown, secret?: string): FetchOptions {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret) headers.authorization = `Bearer ${secret}`;
    return { method: 'POST', headers, body: JSON.stringify(body) };
  }

  create(body: Record<string, unknown>): Promise<CreatedApplication> {
    return this.call('/v1/applications', this.json(body), [201]);
  }

  status(id: string, secret: string): Promise<ApplicationView> {
    return this.call(`/v1/applications/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${secret}` } }, [200]);
  }

  submitJpki(id: string, secret: string, body: Record<string, unknown>): Promise<ApplicationView> {
    return this.call(`/v1/applications/${encodeURIComponent(id)}/jpki`, this.json(body, secret), [200]);
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
    );
  }

  offer(id: string, secret: string): Promise<ApplicationOffer> {
    return this.call(`/v1/applications/${encodeURIComponent(id)}/offer`, this.json({}, secret), [201]);
  }
}
