/**
 * Fit to mask in the window: the Sampler group's checkbox (generated from PARAM_SPECS) survives a change
 * of preset like the other sampler settings, and a run on a held-out lamp, whose shade the mini pack
 * widens past the photo's outline, reports the voxels it removed. Real host, real worker, models/mini.
 */
import { test, expect } from '@playwright/test';
import path from 'node:path';
import { WEBGL_LAUNCH_OPTIONS } from './helpers/chromium';
import { openPhotoWithPack, ROOT, useSharedHost, watchConsoleErrors } from './helpers/host';
import { shot } from './helpers/shot';

test.use({ launchOptions: WEBGL_LAUNCH_OPTIONS });

const host = useSharedHost(['mini']);
const lamp = path.join(ROOT, 'resources/benchmark/10-lamp');

test('fit to mask: a sampler checkbox, and the run says how much of the shape it removed', async ({ page }, info) => {
  test.setTimeout(5 * 60_000);
  const consoleErrors = watchConsoleErrors(page);
  await openPhotoWithPack(page, host().openUrl, 'mini', [path.join(lamp, 'image.png'), path.join(lamp, '0.png')]);
  await expect(page.getByRole('checkbox', { name: 'Use 0 in the run' })).toBeChecked();

  const fit = page.getByRole('checkbox', { name: 'fit to mask' });
  await expect(fit).not.toBeChecked(); // off by default: SAM 3D's pipeline
  await expect(page.getByText(/mask what stands in front of the object to keep what it hides/)).toBeVisible();
  await fit.check();
  await page.getByLabel('Method').selectOption('off');
  await expect(fit).toBeChecked(); // a sampler setting: kept across the change of preset

  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('mesh-counts').first()).toContainText('triangles', { timeout: 240_000 });
  const removed = page.getByTestId('mask-fit');
  await expect(removed).toContainText('Fit to mask');
  const [, n, of] = /−(\d+) of (\d+)/.exec((await removed.textContent()) ?? '') ?? [];
  expect(Number(n), 'voxels removed').toBeGreaterThan(0);
  expect(Number(n)).toBeLessThan(Number(of) / 2);
  await shot(page, info, 'fit-to-mask-lamp');
  expect(consoleErrors, 'no errors in the window console').toEqual([]);
});

test('fit to mask counts the masks of the photo left out of the run (the thing in front)', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  const consoleErrors = watchConsoleErrors(page);
  const scene = path.join(ROOT, 'resources/examples/scene-three');
  await openPhotoWithPack(page, host().openUrl, 'mini', ['image.png', '0.png', '1.png', '2.png'].map((f) => path.join(scene, f)));
  for (const m of ['1', '2']) await page.getByRole('checkbox', { name: `Use ${m} in the run` }).uncheck();
  await expect(page.getByRole('checkbox', { name: 'Use 0 in the run' })).toBeChecked();
  await page.getByRole('checkbox', { name: 'fit to mask' }).check();
  await page.getByLabel('Method').selectOption('off');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('mesh-counts').first()).toContainText('triangles', { timeout: 240_000 });
  await expect(page.getByTestId('mask-fit')).toHaveAttribute('title', /; 2 masks outside the run counted as possibly in front$/);
  expect(consoleErrors, 'no errors in the window console').toEqual([]);
});
