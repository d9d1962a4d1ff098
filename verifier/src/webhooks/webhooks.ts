import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { defaultOutboundPolicy, httpFetch, type OutboundPolicy, ShomeiError } from '@shomei/shared';
import type { Logger } from '../log.js';

export const WEBHOOK_SIGNATURE_HEADER = 'shomei-signature';

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (the body as sent, byte for byte). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * What a business runs on receipt: checks the HMAC in constant time and that the timestamp is
 * within `toleranceSeconds` of `now` (a replayed old delivery fails).
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string,
  now: Date,
  toleranceSeconds = 300,
): boolean {
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(Math.floor(now.getTime() / 1000) - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, t, body).slice(-64), 'hex');
  return timingSafeEqual(expected, Buffer.from(m[2] as string, 'hex'));
}

/**
 * Webhook URLs pass the outbound-fetch policy when they are set (this check: scheme, port, a
 * literal address) and again at each delivery (httpFetch: the address the name resolves to
 * then). Plain http only to a literal loopback/private address or `localhost`, and only with
 * the private-network setting: a name cannot be judged here without a DNS lookup.
 */
export function checkWebhookUrl(url: string, policy: OutboundPolicy = defaultOutboundPolicy()): string {
  let checked: ReturnType<OutboundPolicy['precheck']>;
  try {
    checked = policy.precheck(url);
  } catch (e) {
    if (e instanceof ShomeiError && e.code === 'invalid_request') throw new ShomeiError('invalid_request', 'the webhook URL is not a URL');
    throw e;
  }
  const { url: u, hostname } = checked;
  if (u.protocol !== 'https:' && !isIP(hostname) && hostname !== 'localhost') {
    throw new ShomeiError('fetch_refused', 'the webhook URL must be https (or http to a loopback or private address, in development)');
  }
  return u.toString();
}

export interface WebhookEvent {
  type: 'presentation_request.completed';
  id: string;
  status: 'accepted' | 'rejected';
  completed_at: string;
  /** Error codes only: the business fetches the result (with any values) over its API. */
  error_codes: string[];
}

/** Delivers signed webhooks in the background: 3 attempts (0, 1, 4 s), never on the verification path. */
export class WebhookSender {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly log: Logger,
    private readonly now: () => Date,
    private readonly delaysMs: readonly number[] = [0, 1000, 4000],
    /** Checked at every delivery: the name may resolve elsewhere than when the URL was set. */
    private readonly policy: OutboundPolicy = defaultOutboundPolicy(),
  ) {}

  send(url: string, secret: string, event: WebhookEvent): void {
    const job = this.deliver(url, secret, event).finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  /** Waits for deliveries under way (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async deliver(url: string, secret: string, event: WebhookEvent): Promise<void> {
    const body = JSON.stringify(event);
    const origin = new URL(url).origin;
    for (const [attempt, delay] of this.delaysMs.entries()) {
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      try {
        const signature = signWebhook(secret, Math.floor(this.now().getTime() / 1000), body);
        const res = await httpFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: signature },
          body,
          timeoutMs: 5000,
          maxBytes: 16 * 1024,
          policy: this.policy,
        });
        if (res.status >= 200 && res.status < 300) {
          this.log.info(`webhook: delivered ${event.type} for ${event.id} to ${origin}`);
          return;
        }
        this.log.warn(`webhook: ${origin} answered HTTP ${res.status} (attempt ${attempt + 1})`);
      } catch (e) {
        if (e instanceof ShomeiError && e.code === 'fetch_refused') {
          this.log.error(`webhook: ${e.message}; not delivered`);
          return;
        }
        this.log.warn(`webhook: ${origin} could not be reached (attempt ${attempt + 1})`);
      }
    }
    this.log.error(`webhook: giving up on ${event.type} for ${event.id}`);
  }
}
