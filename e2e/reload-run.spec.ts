/**
 * A job outlives the window that started it: a window reloaded mid-run, or a second one opened while it
 * goes, finds the job in the host (jobs.list), shows its photo with the settings it runs with, its
 * progress and phase, lets Cancel stop it, and shows its result when it ends, as the window that pressed
 * Generate would have. Real host, real worker, real pack, in Debian's Chromium.
 */
import { test, expect } from '@playwright/test';
import { WEBGL_LAUNCH_OPTIONS } from './helpers/chromium';
import { useSharedHost, watchConsoleErrors } from './helpers/host';
import { openMug, slowSteps } from './helpers/mug';
import { shot } from './helpers/shot';

test.use({ launchOptions: WEBGL_LAUNCH_OPTIONS });

const host = useSharedHost(['mini']);

test('a window reloaded mid-run shows the running job, then its result', async ({ page }, info) => {
  test.setTimeout(4 * 60_000);
  const consoleErrors = watchConsoleErrors(page);
  await openMug(page, host().openUrl);
  await slowSteps(page);
  await page.getByRole('button', { name: 'Generate' }).click();
  // The worker has the job (its first SS step is drawn): the reload lands mid-run, not before the submit.
  await expect(page.getByTestId('steps-ssSampling').locator('.step.full').first()).toBeVisible({ timeout: 60_000 });

  await page.reload();
  // The job's photo, mask and settings are back, with the job's progress and a working Cancel.
  await expect(page.getByRole('checkbox', { name: 'Use 0 in the run' })).toBeChecked();
  await expect(page.getByLabel('SS steps (exact value)')).toHaveValue('100');
  await expect(page.getByTestId('progress')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cancel' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Generate' })).toBeDisabled();
  const overall = page.getByRole('progressbar', { name: 'Overall progress' });
  await expect.poll(async () => Number(await overall.getAttribute('aria-valuenow')), { message: 'the bar moves on after the reload' }).toBeGreaterThan(0);
  await shot(page, info, 'reload-01-running');

  // It ends as it would have without the reload: the mesh, the status of the settings on screen, the photo's result.
  await expect(page.getByTestId('mesh-counts').first()).toContainText('triangles', { timeout: 180_000 });
  await expect(page.locator('.run-strip .status')).toHaveText(/^Done: 1 object, [\d.]+ s on cpu$/);
  await expect(page.getByRole('navigation', { name: 'Results of this photo' }).getByRole('button')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled();
  await shot(page, info, 'reload-02-result');
  expect(consoleErrors, 'no errors in the window console').toEqual([]);
});

test('a second window opened mid-Compare follows the job: its phase, and its Cancel keeps the result', async ({ page, context }, info) => {
  test.setTimeout(4 * 60_000);
  await openMug(page, host().openUrl);
  await slowSteps(page);
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.getByTestId('progress-phase')).toHaveText('Compare 1/2: the accelerated result', { timeout: 60_000 });

  const second = await context.newPage();
  await second.goto(host().openUrl);
  await expect(second.getByRole('checkbox', { name: 'Use 0 in the run' })).toBeChecked();
  const phase = second.getByTestId('progress-phase');
  await expect(phase).toHaveText(/^Compare [12]\/2: /);
  await expect(phase).toHaveText('Compare 2/2: baseline (off)', { timeout: 120_000 });
  await shot(second, info, 'reload-03-second-window-baseline');
  await second.getByRole('button', { name: 'Cancel' }).click();
  await expect(second.locator('.run-strip .status')).toHaveText('Baseline cancelled; the fast-sam3d result is kept.', { timeout: 60_000 });
  await expect(second.getByTestId('mesh-counts').first()).toContainText('triangles');
  // The window that pressed Compare keeps the result too: the job ended the same for both.
  await expect(page.getByTestId('mesh-counts').first()).toContainText('triangles', { timeout: 60_000 });
  await second.close();
});
