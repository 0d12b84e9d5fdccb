/**
 * Project archives end to end, through the browser host in Debian's Chromium: one finished run on the mug
 * example (its photo and mask) with the smallest model pack, then in the Library drawer "Export project…"
 * from the project card's right-click menu (the dialog offers the zip as a download), again from the
 * keyboard (Shift+F10: a second zip beside the first, never replacing it), "Import project…" with the
 * downloaded zip (a second project with the same counts), a file that is not a zip (refused in words,
 * nothing added), and the zip dropped on the window (imported the same way).
 */
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { WEBGL_LAUNCH_OPTIONS } from './helpers/chromium';
import { ROOT, useSharedHost, watchConsoleErrors } from './helpers/host';
import { shot } from './helpers/shot';

const example = path.join(ROOT, 'resources/examples/mug');
/** The committed random-weight pack: a run in a second or two. */
const packId = 'test-tiny';

test.use({ launchOptions: WEBGL_LAUNCH_OPTIONS });

const host = useSharedHost([packId]);

test('project archives: export from the card menu, download, import, refuse a non-zip, drop two zips', async ({ page }, info) => {
  test.setTimeout(6 * 60_000);
  const consoleErrors = watchConsoleErrors(page);
  // The photo under its own name, so its project has one ("mug-archive") to look for.
  fs.mkdirSync(info.outputDir, { recursive: true });
  const photo = path.join(info.outputDir, 'mug-archive.png');
  const mask = path.join(info.outputDir, '0.png');
  fs.copyFileSync(path.join(example, 'image.png'), photo);
  fs.copyFileSync(path.join(example, '0.png'), mask);

  // 1. A project with a photo, its mask and one finished result.
  await page.goto(host().openUrl);
  await expect(page.locator('#pack-select option').first()).not.toHaveText('no packs installed', { timeout: 30_000 });
  await page.locator('#pack-select').selectOption(packId);
  await page.getByTestId('image-input').setInputFiles([photo, mask]);
  await expect(page.getByRole('checkbox', { name: 'Use 0 in the run' })).toBeChecked();
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('mesh-counts').first()).toContainText('triangles', { timeout: 240_000 });

  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('Control+l');
  const drawer = page.getByRole('complementary', { name: 'Library' });
  const cards = drawer.getByRole('button', { name: /^Open project mug-archive( \(\d\))?$/ });
  await expect(cards).toHaveCount(1);
  await expect(cards).toContainText('1 image · 1 result');

  // 2. Right-click the card: "Export project…" writes the zip at once; the dialog names it, sizes it and
  // offers it as a download (the browser host may be another machine).
  await cards.click({ button: 'right' });
  const menu = page.getByRole('menu', { name: 'Actions for project mug-archive' });
  await expect(menu.getByRole('menuitem')).toHaveText(['Open', 'Rename…', 'Export project…', 'Move to trash']);
  await menu.getByRole('menuitem', { name: 'Export project…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export project' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('status')).toHaveText(/^Wrote mug-archive\.zip: \d+ files, [\d.]+ (KiB|MiB) before compression\.$/);
  expect(fs.existsSync(path.join(host().dataDir, 'exports/projects/mug-archive.zip'))).toBe(true);
  await shot(page, info, 'archive-01-exported');
  const downloading = page.waitForEvent('download');
  await dialog.getByRole('link', { name: 'Download mug-archive.zip' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('mug-archive.zip');
  const zip = path.join(info.outputDir, 'mug-archive.zip');
  await download.saveAs(zip);
  const bytes = fs.readFileSync(zip);
  expect(bytes.subarray(0, 2).toString('latin1'), 'a zip starts with PK').toBe('PK');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  await expect(drawer).toBeVisible();
  await expect(cards).toBeFocused();   // back where the menu was opened

  // 3. From the keyboard (Shift+F10, down to Export project…, Enter): a second zip beside the first, never
  // replacing it; Esc closes the dialog only, not the drawer.
  await cards.press('Shift+F10');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: 'Export project…' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('status')).toContainText('Wrote mug-archive-2.zip');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(drawer).toBeVisible();
  await expect(cards).toBeFocused();

  // 4. "Import project…" with the downloaded zip: a second project, named apart from the first ("(2)"),
  // with the same counts, and the status line says what arrived.
  const importButton = drawer.getByRole('button', { name: 'Import project…' });
  const choosing = page.waitForEvent('filechooser');
  await importButton.click();
  await (await choosing).setFiles(zip);
  const status = drawer.locator('.lib-status');
  await expect(status).toHaveText('Imported project “mug-archive (2)”: 1 photo, 1 result.');
  await expect(cards).toHaveCount(2);
  await expect(cards.nth(0)).toContainText('1 image · 1 result');
  await expect(cards.nth(1)).toContainText('1 image · 1 result');
  await expect(importButton).not.toHaveAttribute('aria-disabled', 'true');
  await shot(page, info, 'archive-02-imported');

  // 5. A file that is not a zip: the library's refusal as it gave it, and no project added.
  const notZip = path.join(info.outputDir, 'notes.txt');
  fs.writeFileSync(notZip, 'not a project archive\n');
  await drawer.getByTestId('project-archive-input').setInputFiles(notZip);
  const alert = drawer.getByRole('alert');
  await expect(alert).toContainText('The project archive was not imported');
  await expect(alert).toContainText('The library is unchanged.');
  await expect(status).toBeHidden();
  await expect(cards).toHaveCount(2);
  await shot(page, info, 'archive-03-not-a-zip');

  // 6. Zips dropped on the window (the image panel) are imported the same way, into the drawer: two in one
  // drop, one after the other (none lost while the first is read).
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  const dropped = await page.evaluateHandle((b64) => {
    const dt = new DataTransfer();
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    dt.items.add(new File([data], 'mug-archive.zip', { type: 'application/zip' }));
    dt.items.add(new File([data], 'mug-archive copy.zip', { type: 'application/zip' }));
    return dt;
  }, bytes.toString('base64'));
  await page.getByRole('region', { name: 'Image and masks' }).dispatchEvent('drop', { dataTransfer: dropped });
  await expect(drawer).toBeVisible();
  await expect(cards).toHaveCount(4);
  await expect(status).toHaveText('Imported project “mug-archive (4)”: 1 photo, 1 result.');
  await expect(alert).toBeHidden();

  expect(consoleErrors, 'no errors in the window console').toEqual([]);
});
