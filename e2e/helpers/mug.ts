/**
 * The window with the mug example opened and ready to generate (openMug), and a run slow enough that an
 * action lands while it goes (slowSteps): what the specs that act on a running job start from.
 */
import path from 'node:path';
import { expect, type Page } from '@playwright/test';
import { ROOT } from './host';

export const MUG = path.join(ROOT, 'resources/examples/mug');

/** The window at `openUrl` with the mug example and its mask opened, ready to generate. */
export async function openMug(page: Page, openUrl: string): Promise<void> {
  await page.goto(openUrl);
  await expect(page.locator('#pack-select option').first()).not.toHaveText('no packs installed', { timeout: 30_000 });
  await page.getByTestId('image-input').setInputFiles([path.join(MUG, 'image.png'), path.join(MUG, '0.png')]);
  await expect(page.getByRole('checkbox', { name: 'Use 0 in the run' })).toBeChecked();
}

/** 100 SS and 100 SLaT steps, typed into the exact fields: a run of several seconds, so an action lands while it goes. */
export async function slowSteps(page: Page): Promise<void> {
  await page.getByLabel('SS steps (exact value)').fill('100');
  await page.getByLabel('SLaT steps (exact value)').fill('100');
}

