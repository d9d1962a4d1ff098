import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundPolicy } from '@shomei/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { checkWebhookUrl, type WebhookEvent, WebhookSender } from './webhooks.js';

let server: Server;
let hookUrl: string;
let hits = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const strict = new OutboundPolicy();
const dev = new OutboundPolicy({ allowPrivateNetwork: true });
const event: WebhookEvent = {
  type: 'presentation_request.completed',
  id: 'r1',
  status: 'accepted',
  completed_at: '2026-01-01T00:00:00Z',
  error_codes: [],
};

describe('webhook targets pass the outbound policy', () => {
  it('when set: metadata, loopback and plain-http names are refused; https to a public name passes without a lookup', () => {
    for (const url of [
      'https://169.254.169.254/latest',
      'https://[fd00:ec2::254]/',
      'http://shop.example/hook',
      'https://shop.example:22/',
    ]) {
      expect(() => checkWebhookUrl(url, strict)).toThrow(expect.objectContaining({ code: 'fetch_refused' }));
    }
    expect(() => checkWebhookUrl(hookUrl, strict)).toThrow(expect.objectContaining({ code: 'fetch_refused' }));
    expect(() => checkWebhookUrl('https://127.0.0.1/hook', strict)).toThrow(/loopback address/);
    expect(() => checkWebhookUrl('http://169.254.169.254/', dev)).toThrow(/metadata/);
    expect(() => checkWebhookUrl('http://shop.example/hook', dev)).toThrow(expect.objectContaining({ code: 'fetch_refused' }));
    expect(checkWebhookUrl('https://shop.example/hook', strict)).toBe('https://shop.example/hook');
    expect(checkWebhookUrl(hookUrl, dev)).toBe(hookUrl);
  });

  it('at delivery: a URL stored earlier that the policy refuses now is never contacted', async () => {
    hits = 0;
    const refusing = new WebhookSender(silentLogger, () => new Date(), [0, 0], strict);
    refusing.send(hookUrl, 'whsec_x', event);
    await refusing.idle();
    expect(hits).toBe(0);
    const allowing = new WebhookSender(silentLogger, () => new Date(), [0], dev);
    allowing.send(hookUrl, 'whsec_x', event);
    await allowing.idle();
    expect(hits).toBe(1);
  });
});
