import { asyncCodeOf } from '@shomei/shared/testing';
import { describe, expect, it } from 'vitest';
import { readMultipartFiles } from './multipart.js';

const LIMITS = { fields: ['id_document', 'selfie'], maxParts: 2, maxFileBytes: 1024 };
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
const BOUNDARY = 'shomei-test-boundary';

function part(field: string, bytes: string, type = 'image/jpeg'): string {
  return `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${field}"; filename="x.jpg"\r\ncontent-type: ${type}\r\n\r\n${bytes}\r\n`;
}

/** A request whose body is `text`, handed out in 16 KiB chunks; `pulled()` says how much was read. */
function streamedRequest(text: string): { request: Request; pulled: () => number } {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 16 * 1024));
      offset += 16 * 1024;
    },
  });
  const request = new Request('http://127.0.0.1/upload', {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    body,
    duplex: 'half',
  } as RequestInit);
  return { request, pulled: () => Math.min(offset, bytes.length) };
}

describe('readMultipartFiles', () => {
  it('returns each file with its field, type and bytes', async () => {
    const form = new FormData();
    form.append('id_document', new Blob([JPEG], { type: 'image/jpeg' }), 'id.jpg');
    form.append('selfie', new Blob([JPEG], { type: 'image/PNG; x=y' }), 'me.png');
    const files = await readMultipartFiles(new Request('http://127.0.0.1/upload', { method: 'POST', body: form }), LIMITS);
    expect(files.map((f) => [f.field, f.type, Buffer.from(f.bytes).equals(Buffer.from(JPEG))])).toEqual([
      ['id_document', 'image/jpeg', true],
      ['selfie', 'image/png', true],
    ]);
  });

  it('stops reading at the first part past the limit: 80,000 tiny parts cost the first few chunks', async () => {
    const text = `${Array.from({ length: 80_000 }, () => part('id_document', 'x')).join('')}--${BOUNDARY}--\r\n`;
    const { request, pulled } = streamedRequest(text);
    expect(await asyncCodeOf(readMultipartFiles(request, LIMITS))).toBe('invalid_request');
    expect(text.length).toBeGreaterThan(8_000_000);
    expect(pulled()).toBeLessThan(100 * 1024);
  });

  it('stops at the first byte past the file size limit', async () => {
    const { request, pulled } = streamedRequest(`${part('selfie', 'x'.repeat(4_000_000))}--${BOUNDARY}--\r\n`);
    expect(await asyncCodeOf(readMultipartFiles(request, LIMITS))).toBe('payload_too_large');
    expect(pulled()).toBeLessThan(100 * 1024);
  });

  it('refuses text fields, unknown fields, a missing boundary and a body that is not multipart', async () => {
    const text = new FormData();
    text.append('selfie', 'not a file');
    expect(await asyncCodeOf(readMultipartFiles(new Request('http://127.0.0.1/u', { method: 'POST', body: text }), LIMITS))).toBe(
      'invalid_request',
    );
    expect(await asyncCodeOf(readMultipartFiles(streamedRequest(`${part('constructor', 'x')}--${BOUNDARY}--\r\n`).request, LIMITS))).toBe(
      'invalid_request',
    );
    const noBoundary = new Request('http://127.0.0.1/u', { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'x' });
    expect(await asyncCodeOf(readMultipartFiles(noBoundary, LIMITS))).toBe('invalid_request');
    const json = new Request('http://127.0.0.1/u', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(await asyncCodeOf(readMultipartFiles(json, LIMITS))).toBe('invalid_request');
  });

  it('refuses a truncated body', async () => {
    const { request } = streamedRequest(
      `--${BOUNDARY}\r\ncontent-disposition: form-data; name="selfie"; filename="a"\r\ncontent-type: image/jpeg\r\n\r\nabc`,
    );
    expect(await asyncCodeOf(readMultipartFiles(request, LIMITS))).toBe('invalid_request');
  });
});
