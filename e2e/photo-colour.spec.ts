/**
 * Colour from photo in the window: the viewer's "no colour" note points to it, the Sampler group's
 * checkbox (generated from PARAM_SPECS) turns it on, the run panel says how many vertices took the photo's
 * colour, and the exported GLB carries them: on a held-out green ball the mean vertex colour is green,
 * where the mini pack alone decodes one grey. Real host, real worker, models/mini.
 */
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { readGlb } from '../src-main/export/read-glb';
import { WEBGL_LAUNCH_OPTIONS } from './helpers/chromium';
import { openPhotoWithPack, ROOT, useSharedHost, watchConsoleErrors } from './helpers/host';
import { shot } from './helpers/shot';

test.use({ launchOptions: WEBGL_LAUNCH_OPTIONS });

const host = useSharedHost(['mini']);

/** Share of a screenshot's pixels that are clearly green (the ball, not the viewer's grey grid). */
async function greenFraction(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let green = 0;
  for (let i = 0; i < data.length; i += 3) if (data[i + 1] > data[i] + 30 && data[i + 1] > data[i + 2] + 30) green++;
  return green / (info.width * info.height);
}
const ball = path.join(ROOT, 'resources/benchmark/21-primitive');

test('colour from photo: the grey mesh\'s note points to it, and the exported GLB carries the photo\'s colours', async ({ page }, info) => {
  test.setTimeout(5 * 60_000);
  const consoleErrors = watchConsoleErrors(page);
  await openPhotoWithPack(page, host().openUrl, 'mini', [path.join(ball, 'image.png'), path.join(ball, '0.png')]);
  await expect(page.getByRole('checkbox', { name: 'Use 0 in the run' })).toBeChecked();
  await page.getByLabel('Method').selectOption('off');

  // The pack alone: one grey, and the note says what to try.
  const photoColour = page.getByRole('checkbox', { name: 'colour from photo' });
  await expect(photoColour).not.toBeChecked(); // off by default: SAM 3D's pipeline
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('mesh-counts').first()).toContainText('triangles', { timeout: 240_000 });
  await expect(page.getByTestId('uniform-colour')).toContainText('try colour from photo');
  await expect(page.getByTestId('photo-colour')).toHaveCount(0);

  // A click, then the state: while the viewer draws the last mesh, React may apply the change a moment later.
  await photoColour.click();
  await expect(photoColour).toBeChecked();
  await expect(page.getByText(/with the photo's light taken out; the far side takes the colour in front of it/)).toBeVisible();
  await page.getByRole('button', { name: 'Generate' }).click();
  const line = page.getByTestId('photo-colour');
  await expect(line).toContainText('Colour from photo', { timeout: 240_000 });
  const [, from, of] = /(\d+) of (\d+)/.exec((await line.textContent()) ?? '') ?? [];
  expect(Number(from), 'vertices coloured from the photo').toBeGreaterThan(Number(of) / 2);
  await expect(line).toHaveAttribute('title', /The photo's light was taken out/);
  await expect(page.getByTestId('uniform-colour')).toHaveCount(0);
  await page.waitForTimeout(800);
  await shot(page, info, 'photo-colour-ball');

  // Compare: a sampler setting, so it stays on with another preset and its off baseline is coloured too.
  await page.getByLabel('Method').selectOption('fast-sam3d');
  await expect(photoColour).toBeChecked();
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.getByTestId('speedup')).toBeVisible({ timeout: 300_000 });
  await expect(page.getByTestId('compare-panel')).toContainText('fast-sam3d vs off');
  await expect(page.getByTestId('baseline-canvas')).toBeVisible();
  await page.waitForTimeout(1500);
  const baselineGreen = greenFraction(await page.getByTestId('baseline-canvas').locator('canvas').first().screenshot());
  expect(await baselineGreen, 'share of the baseline view drawn green').toBeGreaterThan(0.02);
  await shot(page, info, 'photo-colour-compare');

  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await dialog.getByRole('button', { name: 'Export files' }).click();
  const exported = dialog.getByTestId('exported-files');
  await expect(exported).toContainText('.glb', { timeout: 60_000 });
  const glb = await readGlb(readFileSync((await exported.locator('code').first().textContent())!.trim()));
  const c = glb.mesh.colors;
  const mean = [0, 1, 2].map((d) => c.reduce((s, x, i) => (i % 3 === d ? s + x : s), 0) / (c.length / 3));
  expect(mean[1], `mean colour ${mean.map((x) => x.toFixed(2)).join(', ')}`).toBeGreaterThan(mean[0] + 0.15);
  expect(mean[1]).toBeGreaterThan(mean[2] + 0.15);
  expect(consoleErrors, 'no errors in the window console').toEqual([]);
});
