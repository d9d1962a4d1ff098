import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, cspViolations, launchChromium } from '@shomei/shared/testing';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findApplication } from '../proofing/store.js';
import { type RunningIssuer, startIssuer } from '../server.js';
import { SECRET, taro } from '../testing/harness.js';
import { createAdminToken } from './tokens.js';

// The operator page in a real browser (Debian chromium, headless) against a real issuer.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let dir: string;
let issuer: RunningIssuer;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shomei-operator-'));
  issuer = await startIssuer({ port: 0, dataDir: dir, secret: SECRET, log: () => {} });
  browser = await launchChromium(chromium);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await issuer?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function documentApplication(): Promise<{ id: string; secret: string }> {
  const created = (await (
    await fetch(`${issuer.url}/v1/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'document', identity: taro }),
    })
  ).json()) as { id: string; secret: string };
  const form = new FormData();
  form.append('id_document', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'id.png');
  form.append('selfie', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'selfie.png');
  const res = await fetch(`${issuer.url}/v1/applications/${created.id}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${created.secret}` },
    body: form,
  });
  expect(res.status).toBe(200);
  return created;
}

describe.skipIf(!existsSync(CHROMIUM))('operator page', () => {
  it('loads the queue with a review token, shows the typed attributes and both images, approves with a correction', async () => {
    const approveMe = await documentApplication();
    const rejectMe = await documentApplication();
    const token = (await createAdminToken(issuer.deps.sql, new Date(), 'alice', ['review'])).token;
    const page = await browser.newPage();
    const violations = await cspViolations(page);
    try {
      await page.goto(`${issuer.url}/operator`);
      await page.fill('#token', 'shia_wrong');
      await page.click('#load');
      await expect.poll(() => page.textContent('#msg')).toContain('unauthorized');
      await page.fill('#token', token);
      await page.click('#load');
      await page.waitForSelector(`text=${approveMe.id}`);
      expect(await page.locator('#queue tbody tr').count()).toBe(2);

      await page.locator('#queue tbody tr', { hasText: approveMe.id }).locator('button').click();
      await page.waitForSelector('#detail img[alt="selfie"]');
      expect(await page.textContent('#detail pre')).toContain('山田');
      await expect
        .poll(() => page.$$eval('#detail img', (imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth)))
        .toEqual([1, 1]);
      await page.fill('#detail textarea', '{"given_name":"太朗"}');
      await page.click('text=Approve (IAL2)');
      await page.waitForSelector('text=Decided.');
      expect(await findApplication(issuer.deps.sql, approveMe.id)).toMatchObject({ state: 'approved', decided_by: 'admin:alice' });

      await page.locator('#queue tbody tr', { hasText: rejectMe.id }).locator('button').click();
      await page.waitForSelector('#detail input');
      await page.fill('#detail input', 'the photo ID is expired');
      await page.click('text=Reject');
      await page.waitForSelector('text=The queue is empty.');
      expect(await findApplication(issuer.deps.sql, rejectMe.id)).toMatchObject({ state: 'rejected', reason: 'the photo ID is expired' });
      // The script ran, the styles applied and the blob: images loaded under the policy, and nothing was blocked.
      expect(violations).toEqual([]);
      expect(await page.evaluate("getComputedStyle(document.getElementById('msg')).color")).toBe('rgb(187, 0, 0)');
    } finally {
      await page.close();
    }
  });
});
