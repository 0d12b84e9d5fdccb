/** A screenshot of the page kept as a test artefact (attached to the report under `name`). */
import type { Page, TestInfo } from '@playwright/test';

export async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  const file = info.outputPath(`${name}.png`);
  await page.screenshot({ path: file });
  await info.attach(name, { path: file, contentType: 'image/png' });
}
