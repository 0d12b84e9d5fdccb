/**
 * Keyboard focus, the mask list and screen-reader announcements in the real window (Debian's Chromium
 * through the built browser host): where the focus goes after a delete, a rename, a run, an export and
 * the Library drawer or the Export dialog closing; the mask list's roles and keys; Space panning over the
 * canvas; the segment tool's layout staying put; the Export dialog's Simplify field.
 */
import { test, expect, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import path from 'node:path';
import { WEBGL_LAUNCH_OPTIONS } from './helpers/chromium';
import { ROOT, useSharedHost, watchConsoleErrors } from './helpers/host';
import { shot } from './helpers/shot';

const mug = path.join(ROOT, 'resources/examples/mug');

test.use({ launchOptions: WEBGL_LAUNCH_OPTIONS });

const host = useSharedHost(['test-tiny', 'seg-mini']);

/** Leave any control: the focus goes to the page's body, as after a click on an empty spot. */
async function blur(page: Page) {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}

/** The focused element's tag and accessible name-ish text, for messages. */
const focused = (page: Page) => page.evaluate(() => {
  const a = document.activeElement as HTMLElement | null;
  return a ? `${a.tagName} ${a.getAttribute('aria-label') ?? a.textContent ?? ''}`.trim() : 'none';
});

async function openMug(page: Page) {
  await page.goto(host().openUrl);
  await page.getByTestId('image-input').setInputFiles([path.join(mug, 'image.png'), path.join(mug, '0.png')]);
  await expect(page.getByTestId('mask-overlay')).toBeVisible();
}

test('mask list: mask buttons with aria-current and arrow keys; delete keeps the edited mask and moves the focus on; F2 and double-click rename', async ({ page }, info) => {
  const consoleErrors = watchConsoleErrors(page);
  await openMug(page);
  const list = page.getByRole('list', { name: /^Masks/ });
  const item = (name: string) => list.getByRole('button', { name, exact: true });
  await expect(item('0')).toHaveAttribute('aria-current', 'true');

  await blur(page);
  await page.keyboard.press('n');
  await page.keyboard.press('n');
  await expect(list.getByRole('listitem')).toHaveCount(3);
  await expect(item('mask 2')).toHaveAttribute('aria-current', 'true');
  await expect(item('0')).not.toHaveAttribute('aria-current', 'true');
  // One Tab stop for the three mask buttons (the edited one); arrows, Home and End move between them.
  await expect(list.locator('button.mask-item[tabindex="0"]')).toHaveCount(1);
  await item('mask 2').focus();
  await page.keyboard.press('Home');
  await expect(item('0')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(item('mask 1')).toBeFocused();
  const ring = await item('mask 1').evaluate((el) => { const s = getComputedStyle(el); return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) }; });
  expect(ring.style, 'a visible focus ring on the focused mask').not.toBe('none');
  expect(ring.width).toBeGreaterThan(0);
  await page.keyboard.press('Enter');   // edit "mask 1"
  await expect(item('mask 1')).toHaveAttribute('aria-current', 'true');
  await shot(page, info, '30-mask-list-focus');

  // ✕ on the mask above the edited one: "mask 1" is still the one being edited (a brush stroke lands in
  // it), and the focus is on the mask now in the deleted one's place, not on the page's body.
  await list.getByRole('button', { name: 'Delete 0' }).focus();
  await page.keyboard.press('Enter');
  await expect(list.getByRole('listitem')).toHaveCount(2);
  await expect(item('mask 1')).toHaveAttribute('aria-current', 'true');
  await expect(item('mask 1'), `focus after the delete: ${await focused(page)}`).toBeFocused();
  await page.keyboard.press('b');
  const overlay = page.getByTestId('mask-overlay');
  const box = (await overlay.boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + 20);
  await page.mouse.down();
  await page.mouse.move(box.x + 60, box.y + 40, { steps: 4 });
  await page.mouse.up();
  await expect.poll(async () => Number(await page.getByTestId('mask-area-0').getAttribute('data-area'))).toBeGreaterThan(0);
  await expect(page.getByTestId('mask-area-1')).toHaveAttribute('data-area', '0');

  // F2 renames in place (Space typed with the pointer over the canvas stays in the field); an empty name is
  // refused with a message; Esc cancels; Enter saves; the focus comes back to the mask each time.
  await item('mask 1').focus();
  await page.keyboard.press('F2');
  const field = list.getByRole('textbox', { name: 'Rename mask mask 1' });
  await expect(field).toBeFocused();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  await page.keyboard.press('Enter');
  await expect(list.getByRole('alert')).toContainText('A mask needs a name');
  await expect(field).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(field).toHaveCount(0);
  await expect(item('mask 1')).toBeFocused();
  await page.keyboard.press('F2');
  await page.keyboard.type('my mug');
  await page.keyboard.press('Enter');
  await expect(item('my mug')).toBeFocused();
  await expect(page.getByRole('checkbox', { name: 'Use my mug in the run' })).toBeVisible();
  // Double-click renames too; the rename is an edit Ctrl+Z takes back.
  await item('mask 2').dblclick();
  await list.getByRole('textbox', { name: 'Rename mask mask 2' }).fill('lid');
  await page.keyboard.press('Enter');
  await expect(item('lid')).toBeFocused();
  await page.keyboard.press('Control+z');
  await expect(item('mask 2')).toBeVisible();
  await expect(item('my mug')).toBeVisible();

  // Delete on a mask deletes it: the focus goes to the next one, after the last one to the one before,
  // and with none left to "New mask".
  await item('my mug').focus();
  await page.keyboard.press('Delete');
  await expect(item('mask 2')).toBeFocused();
  await page.keyboard.press('Delete');
  await expect(list.getByRole('listitem')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'New mask' })).toBeFocused();
  // Undo brings the mask back; undoing past the start of history hands the focus to Redo.
  await page.getByRole('button', { name: 'Undo' }).focus();
  for (let i = 0; i < 12 && await page.getByRole('button', { name: 'Undo' }).isEnabled(); i++) await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Undo' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Redo' }), `focus at the start of history: ${await focused(page)}`).toBeFocused();
  expect(consoleErrors).toEqual([]);
});

test('Space pans while the pointer is over the canvas, without focusing it; a focused button keeps Space', async ({ page }, info) => {
  await openMug(page);
  const panel = page.getByTestId('mask-panel');
  const stage = page.locator('.mask-stage');
  const overlay = page.getByTestId('mask-overlay');
  await blur(page);
  await page.keyboard.press('v');
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  await expect.poll(async () => Number(await panel.getAttribute('data-zoom'))).toBeGreaterThan(1.4);
  const before = await stage.evaluate((el) => el.style.transform);
  const box = (await overlay.boundingBox())!;
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];

  await page.mouse.move(x, y);
  await blur(page);
  await page.keyboard.down(' ');
  await expect(panel).toHaveClass(/pan-ready/);
  await page.mouse.down();
  await page.mouse.move(x - 40, y - 30, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up(' ');
  await expect(panel).not.toHaveClass(/pan-ready/);
  const after = await stage.evaluate((el) => el.style.transform);
  expect(after, 'space-drag over the canvas moved the image').not.toBe(before);
  expect(await page.evaluate(() => [window.scrollY, document.querySelector('.image-panel')!.scrollTop])).toEqual([0, 0]);
  await shot(page, info, '31-space-pan');

  // With a button focused, Space presses it (Fit), even with the pointer over the canvas.
  const fitButton = page.getByRole('button', { name: 'Fit image to panel' });
  await fitButton.focus();
  await page.mouse.move(x, y);
  await page.keyboard.press(' ');
  await expect.poll(async () => Number(await panel.getAttribute('data-zoom'))).toBe(1);
  await expect(panel).not.toHaveClass(/pan-ready/);
  await expect(fitButton).toBeFocused();
});

test('Segment: the first click does not move or resize the canvas', async ({ page }, info) => {
  await page.goto(host().openUrl);
  await page.getByTestId('image-input').setInputFiles([path.join(mug, 'image.png')]);
  const overlay = page.getByTestId('mask-overlay');
  await expect(overlay).toBeVisible();
  await page.getByRole('button', { name: 'Segment', exact: true }).click();
  const status = page.getByTestId('segment-status');
  await expect(status).toContainText(/Encoded in \d+ ms/, { timeout: 60_000 });
  const panelWidth = () => page.locator('.image-panel').evaluate((el) => el.clientWidth);
  const at = (await overlay.boundingBox())!;
  const width = await panelWidth();
  await overlay.click({ position: { x: at.width / 2, y: at.height / 2 } });
  await expect(page.getByTestId('segment-prompts')).toHaveText('1 include');
  expect(await overlay.boundingBox(), 'canvas box right after the click').toEqual(at);
  await expect(status).toContainText(/proposal in \d+ ms/, { timeout: 30_000 });
  expect(await overlay.boundingBox(), 'canvas box with the proposal').toEqual(at);
  expect(await panelWidth()).toBe(width);
  // Accept with the button: a mask is added and the focus goes to the canvas, not to the page's body.
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByRole('list', { name: /^Masks/ }).getByRole('listitem')).toHaveCount(1);
  await expect(page.getByTestId('mask-panel')).toBeFocused();
  expect(await overlay.boundingBox(), 'canvas box after Accept').toEqual(at);
  await shot(page, info, '32-segment-stable');
});

test('Library drawer: nothing in it is reachable with Tab once closed; closing gives the focus back to its opener', async ({ page }) => {
  await openMug(page);
  const library = page.getByRole('button', { name: 'Library', exact: true });
  const drawer = page.getByRole('complementary', { name: 'Library' });
  await library.click();
  await expect(drawer).toBeVisible();
  await expect(drawer).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  await expect(library).toBeFocused();

  // Closed: Tab through the whole window and never land in the drawer (hidden, or inert if kept).
  await blur(page);
  const seen = new Set<string>();
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const where = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      return { inDrawer: !!a?.closest('.drawer'), id: a ? `${a.tagName}:${a.getAttribute('aria-label') ?? a.textContent?.slice(0, 30)}` : '' };
    });
    expect(where.inDrawer, `Tab reached ${where.id} in the closed drawer`).toBe(false);
    seen.add(where.id);
  }
  expect(seen.size, 'Tab went round the window').toBeGreaterThan(10);

  // Ctrl+L from a mask, closed with its ✕: back to that mask.
  const item = page.getByRole('list', { name: /^Masks/ }).getByRole('button', { name: '0', exact: true });
  await item.focus();
  await page.keyboard.press('Control+l');
  await expect(drawer).toBeFocused();
  await drawer.getByRole('button', { name: 'Close library' }).focus();
  await page.keyboard.press('Enter');
  await expect(drawer).toBeHidden();
  await expect(item).toBeFocused();
});

test('run and export by keyboard: the focus never drops to the body, progress and the export are announced, Simplify refuses bad targets', async ({ page }, info) => {
  test.setTimeout(5 * 60_000);
  const consoleErrors = watchConsoleErrors(page);
  await openMug(page);
  await expect(page.locator('#pack-select option').first()).not.toHaveText('no packs installed', { timeout: 30_000 });
  await page.locator('#pack-select').selectOption('test-tiny');
  // Everything the two live regions say, as it is said.
  await page.evaluate(() => {
    const said: string[] = [];
    (window as unknown as { said: string[] }).said = said;
    new MutationObserver(() => {
      for (const id of ['progress-announcer', 'export-status']) {
        const t = document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '';
        if (t && said[said.length - 1] !== t) said.push(t);
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  const said = () => page.evaluate(() => (window as unknown as { said: string[] }).said.slice());

  const generate = page.getByRole('button', { name: 'Generate' });
  await generate.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('mesh-counts').first()).toContainText('triangles', { timeout: 240_000 });
  // Generate went off while the job ran (the focus went to Cancel), Cancel when it ended: back on Generate.
  await expect(generate, `focus after the run: ${await focused(page)}`).toBeFocused();
  const milestones = (await said()).filter((s) => s.startsWith('Generating:'));
  info.annotations.push({ type: 'progress announcements', description: milestones.join(' | ') });
  expect(milestones.length, 'a few milestones, not one per percent').toBeGreaterThanOrEqual(1);
  expect(milestones.length).toBeLessThanOrEqual(3);
  for (const m of milestones) expect(m).toMatch(/^Generating: (25|50|75)% done( \(.+\))?\.$/);

  // The run saved the mask. Renamed, the next run renames the saved mask in the library (the real SQLite
  // file) instead of saving a copy, and the run is named after it.
  const inLibrary = <T,>(sql: string): T => {
    const db = new Database(path.join(host().dataDir, 'library.sqlite'), { readonly: true });
    try {
      return db.prepare(sql).pluck().all() as T;
    } finally {
      db.close();
    }
  };
  const masksInLibrary = () => inLibrary<string[]>(`SELECT name FROM masks ORDER BY rowid`);
  // Runs are named after their mask when they are made: only the run after the rename has this name.
  const renamedRunsDone = () => inLibrary<number[]>(`SELECT count(*) FROM runs WHERE status = 'succeeded' AND name LIKE 'mug body%'`)[0];
  const before = masksInLibrary();
  expect(before[before.length - 1]).toBe('0');
  await page.getByRole('list', { name: /^Masks/ }).getByRole('button', { name: '0', exact: true }).dblclick();
  await page.getByRole('textbox', { name: 'Rename mask 0' }).fill('mug body');
  await page.keyboard.press('Enter');
  await generate.focus();
  await page.keyboard.press('Enter');
  // The run is recorded when it ends (the result on screen is the last one until then).
  await expect.poll(renamedRunsDone, { timeout: 240_000 }).toBe(1);
  await expect(generate).toBeFocused({ timeout: 60_000 });
  expect(masksInLibrary()).toEqual([...before.slice(0, -1), 'mug body']);

  // Ctrl+E from nowhere: Esc gives the focus to the Export button rather than to the body.
  await blur(page);
  await page.keyboard.press('Control+e');
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await expect(dialog).toBeVisible();

  // Simplify: an empty or under-100 target is refused with its message; nothing is exported.
  await dialog.getByRole('checkbox', { name: 'Simplify to' }).check();
  const target = dialog.getByRole('spinbutton', { name: 'Target triangles' });
  const exportFiles = dialog.getByRole('button', { name: 'Export files' });
  for (const bad of ['', '99']) {
    await target.fill(bad);
    await exportFiles.click();
    await expect(dialog.getByRole('alert')).toHaveText('Enter a whole number of triangles, at least 100, or untick “Simplify to”.');
    await expect(dialog.getByTestId('exported-files')).toHaveCount(0);
  }
  await target.fill('2500');

  // Export with Enter: the button keeps the focus through the export, and the end is announced.
  await exportFiles.focus();
  await page.keyboard.press('Enter');
  const files = dialog.getByTestId('exported-files');
  await expect(files).toContainText('.glb', { timeout: 60_000 });
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await expect(exportFiles, `focus after the export: ${await focused(page)}`).toBeFocused();
  await expect(dialog.getByTestId('export-status')).toHaveText(/^Export finished: 1 file written \(GLB\)\.$/);

  // A second export clears the first one's list as it starts.
  await page.evaluate(() => {
    const w = window as unknown as { listGone: boolean };
    w.listGone = false;
    new MutationObserver(() => { if (!document.querySelector('[data-testid="exported-files"]')) w.listGone = true; })
      .observe(document.body, { subtree: true, childList: true });
  });
  await page.keyboard.press('Enter');
  await expect(files).toContainText('.glb', { timeout: 60_000 });
  expect(await page.evaluate(() => (window as unknown as { listGone: boolean }).listGone), 'the last export\'s list went while the new one ran').toBe(true);
  expect(await said()).toContain('Exporting GLB…');
  await shot(page, info, '33-export-announced');

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: 'Export', exact: true })).toBeFocused();
  expect(consoleErrors).toEqual([]);
});
