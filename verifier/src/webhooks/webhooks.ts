import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { httpFetch, ShomeiError } from '@shomei/shared';
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

/** Webhook URLs: https, or http to a loopback host (development). */
export function checkWebhookUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ShomeiError('invalid_request', 'the webhook URL is not a URL');
  }
  const loopback = u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) {
    throw new ShomeiError('invalid_request', 'the webhook URL must be https (or http on a loopback host)');
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
        });
        if (res.status >= 200 && res.status < 300) {
          this.log.info(`webhook: delivered ${event.type} for ${event.id} to ${origin}`);
          return;
        }
        this.log.warn(`webhook: ${origin} answered HTTP ${res.status} (attempt ${attempt + 1})`);
      } catch {
        this.log.warn(`webhook: ${origin} could not be reached (attempt ${attempt + 1})`);
      }
    }
    this.log.error(`webhook: giving up on ${event.type} for ${event.id}`);
  }
}
