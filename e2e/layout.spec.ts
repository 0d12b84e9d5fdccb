/**
 * The window's layout at awkward sizes, in Debian's Chromium through the built browser host: the mask
 * canvas keeps a photo's exact proportions (a 300×4000 strip is not squashed when its height caps) and
 * clicks still land on the right pixels; at 1024×640 the Segment tool leaves most of the photo in view;
 * below 1024 wide nothing is cut off and the page never scrolls sideways.
 */
import { test, expect, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ROOT, useSharedHost, watchConsoleErrors } from './helpers/host';
import { shot } from './helpers/shot';

const mug = path.join(ROOT, 'resources/examples/mug');
const host = useSharedHost(['seg-mini']);

let dir = '';
test.beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam3d-layout-')); });
test.afterAll(() => { fs.rmSync(dir, { recursive: true, force: true }); });

/** A photo `width`×`height`: the top half red, the bottom half blue (a wand click takes exactly one half). */
async function twoHalves(name: string, width: number, height: number): Promise<string> {
  const half = Math.floor(height / 2);
  const file = path.join(dir, name);
  await sharp({ create: { width, height, channels: 3, background: { r: 20, g: 40, b: 230 } } })
    .composite([{ input: { create: { width, height: half, channels: 3, background: { r: 230, g: 30, b: 20 } } }, top: 0, left: 0 }])
    .png().toFile(file);
  return file;
}

/** Share of the canvas's area that shows inside the image panel without scrolling it. */
const visibleShare = (page: Page) => page.evaluate(() => {
  const c = document.querySelector('[data-testid="mask-panel"]')!.getBoundingClientRect();
  const p = document.querySelector('.image-panel')!.getBoundingClientRect();
  const w = Math.max(0, Math.min(c.right, p.right, innerWidth) - Math.max(c.left, p.left, 0));
  const h = Math.max(0, Math.min(c.bottom, p.bottom, innerHeight) - Math.max(c.top, p.top, 0));
  return (w * h) / (c.width * c.height);
});

/** Whether the page scrolls sideways, and any panel whose box is cut by the window's right edge. */
const sideways = (page: Page) => page.evaluate(() => ({
  scrolls: document.documentElement.scrollWidth > document.documentElement.clientWidth,
  cut: [...document.querySelectorAll('.topbar, .image-panel, .centre, .accel-panel, .run-strip')]
    .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
    .map((el) => el.className),
}));

test('the mask canvas keeps a photo’s proportions at any size, and clicks land on the right pixels', async ({ page }, info) => {
  const consoleErrors = watchConsoleErrors(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(host().openUrl);
  const panel = page.getByTestId('mask-panel');

  for (const [name, w, h] of [['tall.png', 300, 4000], ['portrait34.png', 768, 1024], ['wide.png', 1200, 300]] as const) {
    await page.getByTestId('image-input').setInputFiles([await twoHalves(name, w, h)]);
    await expect(page.getByTestId('mask-overlay')).toHaveAttribute('aria-label', new RegExp(`^Image ${w}×${h} `));
    const box = (await panel.boundingBox())!;
    // Height capped (52 % of 900 = 468 px) or width full: either way the box has the photo's ratio.
    expect(box.height, `${name}: within the height cap`).toBeLessThanOrEqual(0.52 * 900 + 1);
    expect(Math.abs(box.width / box.height - w / h) / (w / h), `${name}: ${box.width}×${box.height} has the ratio ${w}:${h}`).toBeLessThan(0.005);
    const overlay = (await page.getByTestId('mask-overlay').boundingBox())!;
    expect(overlay.width).toBeCloseTo(box.width, 0);
    expect(overlay.height).toBeCloseTo(box.height, 0);

    // The wand (the tool for a photo without masks) at a quarter of the height: exactly the red half.
    await expect(page.getByRole('button', { name: 'Magic wand' })).toHaveAttribute('aria-pressed', 'true');
    await page.getByTestId('mask-overlay').click({ position: { x: box.width / 2, y: box.height / 4 } });
    await expect(page.getByTestId('mask-area-0')).toHaveAttribute('data-area', String(w * Math.floor(h / 2)));
    if (name === 'tall.png') {
      expect(box.height).toBeGreaterThan(0.52 * 900 - 2);
      expect(box.width, 'the tall strip is narrow, not stretched to the panel').toBeLessThan(40);
      await shot(page, info, 'layout-01-tall');
    }
  }
  expect(consoleErrors).toEqual([]);
});

test('at 1024×640 the Segment tool leaves most of the photo in view; narrower windows stack, never scroll sideways', async ({ page }, info) => {
  const consoleErrors = watchConsoleErrors(page);
  await page.setViewportSize({ width: 1024, height: 640 });
  await page.goto(host().openUrl);
  await page.getByTestId('image-input').setInputFiles([path.join(mug, 'image.png')]);
  await expect(page.getByTestId('mask-overlay')).toBeVisible();
  await page.keyboard.press('s');
  await expect(page.getByTestId('segment-status')).toContainText(/Encoded in \d+ ms/, { timeout: 60_000 });
  expect(await visibleShare(page), 'share of the photo in view in Segment mode at 1024×640').toBeGreaterThan(0.85);
  expect(await sideways(page)).toEqual({ scrolls: false, cut: [] });
  await shot(page, info, 'layout-02-segment-1024x640');

  for (const [width, height] of [[800, 600], [560, 700]] as const) {
    await page.setViewportSize({ width, height });
    expect(await sideways(page), `${width}×${height}`).toEqual({ scrolls: false, cut: [] });
    // The run strip stays in view (sticky at the bottom) with its Generate button.
    const generate = (await page.getByRole('button', { name: 'Generate' }).boundingBox())!;
    expect(generate.y + generate.height, `${width}×${height}: Generate in view`).toBeLessThanOrEqual(height);
    expect(await visibleShare(page), `${width}×${height}: the photo in view`).toBeGreaterThan(0.5);
    // The acceleration panel is below, reachable by scrolling down, and as wide as the window allows.
    const accel = page.getByRole('region', { name: 'Acceleration' });
    await accel.scrollIntoViewIfNeeded();
    const a = (await accel.boundingBox())!;
    expect(a.x).toBeGreaterThanOrEqual(0);
    expect(a.x + a.width).toBeLessThanOrEqual(width + 0.5);
    await shot(page, info, `layout-03-${width}x${height}`);
    await page.evaluate(() => window.scrollTo(0, 0));
  }
  expect(consoleErrors).toEqual([]);
});
