/**
 * The app shell in Debian's Chromium through `serve`: the window loads from the host with its token,
 * talks to the API over the WebSocket, is held to the CSP, and a malformed API message sent from the
 * page gets an error reply. A screenshot of the shell is kept as an artefact. A damaged settings file is
 * said in the window.
 */
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isBuilt, startBuiltHost, watchConsoleErrors, type E2eHost } from './helpers/host';

let host: E2eHost;

test.beforeAll(async () => {
  expect(isBuilt(), 'the app must be built first (`npm run build`; `npm run test:e2e` does it)').toBe(true);
  host = await startBuiltHost();
});
test.afterAll(async () => {
  await host?.stop();
});

test('the shell loads, connects to the API and is saved as a screenshot', async ({ page }, testInfo) => {
  const consoleErrors = watchConsoleErrors(page);
  const replies: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => replies.push(String(f.payload))));

  const response = await page.goto(host.openUrl);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect(page).toHaveTitle(/Fast-SAM3D Studio/);
  // React rendered something into the root.
  await expect(page.locator('#root > *').first()).toBeVisible();
  // The token moved from the address bar into session storage.
  await expect.poll(() => new URL(page.url()).searchParams.has('token')).toBe(false);
  // The window reached the API over the WebSocket and got ok replies.
  await expect.poll(() => replies.some((r) => r.includes('"ok":true'))).toBe(true);

  const shot = testInfo.outputPath('shell.png');
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach('shell', { path: shot, contentType: 'image/png' });
  // Connection-refused noise from optional assets is not the shell's business; CSP violations are.
  expect(consoleErrors.filter((e) => /Content Security Policy|Refused to/.test(e))).toEqual([]);
});

test('inline script is refused by the Content-Security-Policy', async ({ page }) => {
  await page.goto(host.openUrl);
  await expect(page.addScriptTag({ content: 'window.__injected = true;' })).rejects.toThrow();
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
});

test('a malformed API message from the page gets an error reply', async ({ page }) => {
  await page.goto(host.openUrl);
  const replies = await page.evaluate(async (token) => {
    const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/api?token=${encodeURIComponent(token)}`);
    const got: unknown[] = [];
    await new Promise<void>((resolve, reject) => { ws.onopen = () => resolve(); ws.onerror = () => reject(new Error('socket failed')); });
    const done = new Promise<void>((resolve) => {
      ws.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as { event?: string };
        if (msg.event) return; // pushed events (worker status) are not replies
        got.push(msg);
        if (got.length === 3) resolve();
      };
    });
    ws.send('definitely not json');
    ws.send(JSON.stringify({ id: 7, method: 'settings.set', payload: { executionProvider: 'quantum' } }));
    ws.send(JSON.stringify({ id: 8, method: 'app.info', payload: {} }));
    await done;
    ws.close();
    return got;
  }, host.token);
  expect(replies[0]).toMatchObject({ id: null, ok: false, error: { code: 'BAD_REQUEST' } });
  expect(replies[1]).toMatchObject({ id: 7, ok: false, error: { code: 'BAD_REQUEST', issues: [{ path: 'executionProvider' }] } });
  expect(replies[2]).toMatchObject({ id: 8, ok: true, result: { host: 'browser' } });
});

test('the window says when the host has gone, and when a restarted host no longer takes its token', async ({ page }) => {
  const first = await startBuiltHost();
  const port = new URL(first.openUrl).port;
  await page.goto(first.openUrl);
  await expect(page.getByRole('heading', { name: 'Fast-SAM3D Studio' })).toBeVisible();
  await expect(page.getByTestId('connection-lost')).toHaveCount(0);
  await first.stop();
  await expect(page.getByTestId('connection-lost')).toBeVisible();
  await expect(page.getByTestId('connection-lost')).toContainText('reconnects by itself');
  // Started again on the same port, the host has a new token: reconnecting cannot work, and the window says what will.
  const second = await startBuiltHost(['--port', port]);
  try {
    await expect(page.getByTestId('connection-stale')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('connection-stale')).toContainText('open the URL it printed');
    await expect(page.getByTestId('connection-lost')).toHaveCount(0);
  } finally {
    await second.stop();
  }
});

test('a damaged settings file is set aside and the window says so, once, until dismissed', async ({ page }) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam3d-e2e-settings-'));
  fs.writeFileSync(path.join(dataDir, 'settings.json'), '{"executionProvider": "cpu", "autoRerun": tru');   // cut off mid-write
  const damaged = await startBuiltHost(['--data-dir', dataDir]);
  try {
    await page.goto(damaged.openUrl);
    const banner = page.getByRole('status').filter({ hasText: 'settings.json could not be read' });
    await expect(banner).toBeVisible();
    await expect(banner).toContainText('defaults are used');
    await expect(banner).toContainText('settings.json.unreadable-');   // where the old file went
    expect(fs.readdirSync(dataDir).some((f) => f.startsWith('settings.json.unreadable-'))).toBe(true);
    await banner.getByRole('button', { name: 'Dismiss' }).click();
    await expect(banner).toBeHidden();
    await expect(page.getByRole('heading', { name: 'Fast-SAM3D Studio' })).toBeVisible();   // the window works
  } finally {
    await damaged.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
