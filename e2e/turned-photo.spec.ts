/**
 * A photo whose pixels are stored a quarter turn off, with EXIF orientation 6 (as phones save photos taken
 * sideways), in the real window (Debian's Chromium through the built browser host): shown the way up its
 * tag says, a mask drawn on it is saved and the run goes through. Before, the library recorded the stored
 * size and refused the drawn mask as the wrong size. And a mask file saved the numpy / SAM way (0 and 1):
 * read by the pipeline's rule (object = 1, with a word saying so), where the window used to open it empty.
 */
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { WEBGL_LAUNCH_OPTIONS } from './helpers/chromium';
import { ROOT, openPhotoWithPack, useSharedHost, watchConsoleErrors } from './helpers/host';

test.use({ launchOptions: WEBGL_LAUNCH_OPTIONS });

const host = useSharedHost(['test-tiny']);

test('a JPEG turned by its EXIF orientation: shown upright, a drawn mask is saved and generates', async ({ page }) => {
  test.setTimeout(4 * 60_000);
  const consoleErrors = watchConsoleErrors(page);
  // The mug's photo cropped to 384×300 and stored a quarter turn off: 300×384 pixels, tag 6.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs3d-turned-'));
  const file = path.join(dir, 'turned.jpg');
  await sharp(path.join(ROOT, 'resources/examples/mug/image.png'))
    .extract({ left: 0, top: 42, width: 384, height: 300 }).rotate(270)
    .jpeg({ quality: 92 }).withMetadata({ orientation: 6 }).toFile(file);
  expect(await sharp(file).metadata()).toMatchObject({ width: 300, height: 384, orientation: 6 });

  await openPhotoWithPack(page, host().openUrl, 'test-tiny', [file]);
  const overlay = page.getByTestId('mask-overlay');
  await expect(overlay).toBeVisible();
  // Shown upright: the 300 × 384 stored pixels become a 384 × 300 (landscape) canvas.
  const box = (await overlay.boundingBox())!;
  expect(box.width / box.height).toBeCloseTo(384 / 300, 1);

  await page.keyboard.press('b');
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.4);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 6 });
  await page.mouse.up();
  await expect.poll(async () => Number(await page.getByTestId('mask-area-0').getAttribute('data-area'))).toBeGreaterThan(0);

  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('mesh-counts').first()).toContainText('triangles', { timeout: 180_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(consoleErrors).toEqual([]);
});

test('a 0/1 mask (numpy, SAM) opens as its object, with a word on how it was read', async ({ page }) => {
  test.setTimeout(2 * 60_000);
  const consoleErrors = watchConsoleErrors(page);
  // The mug and its mask as a one-channel PNG of 0 and 1 (the cut-out's alpha over half).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs3d-zero-one-'));
  const photo = path.join(dir, 'image.png');
  const mask = path.join(dir, '0.png');
  fs.copyFileSync(path.join(ROOT, 'resources/examples/mug/image.png'), photo);
  const { data, info } = await sharp(path.join(ROOT, 'resources/examples/mug/0.png')).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const bits = Buffer.alloc(info.width * info.height);
  for (let p = 0; p < bits.length; p++) bits[p] = data[p * 4 + 3] > 127 ? 1 : 0;
  const object = bits.reduce((a, b) => a + b, 0);
  expect(object).toBeGreaterThan(0);
  await sharp(bits, { raw: { width: info.width, height: info.height, channels: 1 } }).png().toFile(mask);

  await openPhotoWithPack(page, host().openUrl, 'test-tiny', [photo, mask]);
  await expect(page.getByRole('checkbox', { name: 'Use 0 in the run' })).toBeChecked();
  await expect.poll(async () => Number(await page.getByTestId('mask-area-0').getAttribute('data-area'))).toBe(object);
  await expect(page.getByRole('alert')).toContainText('“0.png” has only two levels, 0 and 1 (of 255); the pixels of level 1 were read as the object.');
  expect(consoleErrors).toEqual([]);
});
