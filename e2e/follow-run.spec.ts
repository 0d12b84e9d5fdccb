/**
 * A job started in one window is followed by every other window showing its photo, as it starts (the
 * host's job.submitted), without a reload: its progress, its Cancel, its result. A Compare cancelled in
 * the other window ends in the window that started it as a cancel, not as a failure: it says so and keeps
 * the result. Real host, real worker, real pack, in Debian's Chromium.
 */
import { test, expect, type Page } from '@playwright/test';
import { WEBGL_LAUNCH_OPTIONS } from './helpers/chromium';
import { useSharedHost, watchConsoleErrors } from './helpers/host';
import { openMug, slowSteps } from './helpers/mug';
import { shot } from './helpers/shot';

test.use({ launchOptions: WEBGL_LAUNCH_OPTIONS });

const host = useSharedHost(['mini']);

/** Two windows on the mug (the same photo: opening it again reopens it), A's run slow enough to act on. */
async function twoWindows(page: Page): Promise<{ a: Page; b: Page }> {
  await openMug(page, host().openUrl);
  const b = await page.context().newPage();
  await openMug(b, host().openUrl);
  await slowSteps(page);
  return { a: page, b };
}

test('a run started in another window on the photo shown is followed without a reload, to its result', async ({ page }, info) => {
  test.setTimeout(4 * 60_000);
  const { a, b } = await twoWindows(page);
  const errorsA = watchConsoleErrors(a);
  const errorsB = watchConsoleErrors(b);
  await expect(b.getByTestId('progress')).toHaveCount(0);
  await a.getByRole('button', { name: 'Generate' }).click();

  // B, untouched since, shows A's job: its progress moving, its Cancel, Generate waiting for it.
  await expect(b.getByTestId('progress')).toBeVisible({ timeout: 60_000 });
  await expect(b.getByRole('button', { name: 'Cancel' })).toBeEnabled();
  await expect(b.getByRole('button', { name: 'Generate' })).toBeDisabled();
  const overall = b.getByRole('progressbar', { name: 'Overall progress' });
  await expect.poll(async () => Number(await overall.getAttribute('aria-valuenow')), { message: 'B’s bar moves with A’s job', timeout: 60_000 }).toBeGreaterThan(0);
  await expect(b.getByTestId('steps-ssSampling').locator('.step.full').first()).toBeVisible();
  await shot(b, info, 'follow-01-other-window-running');

  // Both get the result (B's values on screen are not the job's: its status says which settings made it).
  await expect(b.getByTestId('mesh-counts').first()).toContainText('triangles', { timeout: 180_000 });
  await expect(b.locator('.run-strip .status')).toHaveText(/^Done: 1 object, [\d.]+ s on cpu/);
  await expect(a.getByTestId('mesh-counts').first()).toContainText('triangles', { timeout: 60_000 });
  await expect(a.locator('.run-strip .status')).toHaveText(/^Done: 1 object, [\d.]+ s on cpu$/);
  await expect(b.getByRole('button', { name: 'Generate' })).toBeEnabled();
  // A followed its own job only: one run of it on the photo, not a second one.
  await expect(a.getByRole('navigation', { name: 'Results of this photo' }).getByRole('button')).toHaveCount(1);
  await shot(b, info, 'follow-02-other-window-result');
  expect(errorsA, 'no errors in A’s console').toEqual([]);
  expect(errorsB, 'no errors in B’s console').toEqual([]);
  await b.close();
});

test('a Compare cancelled in another window: the window that started it says so and keeps the result', async ({ page }, info) => {
  test.setTimeout(4 * 60_000);
  const { a, b } = await twoWindows(page);
  await a.getByRole('button', { name: 'Compare' }).click();

  const phase = b.getByTestId('progress-phase');
  await expect(phase).toHaveText(/^Compare [12]\/2: /, { timeout: 60_000 });
  await expect(phase).toHaveText('Compare 2/2: baseline (off)', { timeout: 120_000 });
  await b.getByRole('button', { name: 'Cancel' }).click();
  await expect(b.locator('.run-strip .status')).toHaveText(/^Baseline cancelled; the fast-sam3d result is kept\./, { timeout: 60_000 });

  // A pressed Compare and did not cancel: a cancel in another window, not a baseline that failed.
  await expect(a.locator('.run-strip .status')).toHaveText('Baseline cancelled in another window; the fast-sam3d result is kept.', { timeout: 60_000 });
  await expect(a.locator('.run-strip').getByRole('alert')).toHaveCount(0);
  await expect(a.getByTestId('mesh-counts').first()).toContainText('triangles');
  await expect(a.getByRole('button', { name: 'Compare' })).toBeEnabled();
  await shot(a, info, 'follow-03-cancelled-in-other-window');
  await b.close();
});

test('a run replaced in another window (its values changed there, re-run on): the window that started it follows the new run', async ({ page }, info) => {
  test.setTimeout(4 * 60_000);
  const { a, b } = await twoWindows(page);
  const rerun = b.getByLabel('Re-run automatically when a value changes');
  try {
    await a.getByRole('button', { name: 'Generate' }).click();
    await expect(b.getByRole('button', { name: 'Cancel' })).toBeEnabled({ timeout: 60_000 });
    // B changes a value with re-run on: its re-run replaces the job it follows, A's.
    await rerun.check();
    await b.getByLabel('SLaT steps (exact value)').fill('24');
    // A did not cancel: it says the run was cancelled elsewhere, then follows the run that replaced it to its result.
    await expect(a.locator('.run-strip .status')).toHaveText(/^Done: 1 object, [\d.]+ s on cpu/, { timeout: 180_000 });
    await expect(a.getByTestId('mesh-counts').first()).toContainText('triangles');
    await expect(b.locator('.run-strip .status')).toHaveText(/^Done: 1 object, [\d.]+ s on cpu/, { timeout: 60_000 });
    await expect(a.locator('.run-strip').getByRole('alert')).toHaveCount(0);
    await shot(a, info, 'follow-04-replaced-in-other-window');
  } finally {
    // The setting is the host's, shared by every window and the specs after this one.
    await rerun.uncheck();
    await b.close();
  }
});
