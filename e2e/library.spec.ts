/**
 * The Library drawer end to end, through the browser host in Debian's Chromium: generate one run on the
 * mug example with the smallest model pack, then in the drawer (Ctrl+L) rename it (and see a blank name
 * refused), tag it, move it to the trash and Undo, trash it again and restore it from the Trash section,
 * trash its image and Undo, search with no match, and empty the trash with the two-step confirm. Then
 * projects: the same photo opened twice is one project, projects are renamed, opened (their results and
 * images alone) and trashed, and every card has a right-click menu (also Shift+F10 from the keyboard).
 */
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { WEBGL_LAUNCH_OPTIONS } from './helpers/chromium';
import { ROOT, useSharedHost, watchConsoleErrors } from './helpers/host';
import { shot } from './helpers/shot';

const example = path.join(ROOT, 'resources/examples/mug');
/** The committed random-weight pack: a run in a second or two. */
const packId = 'test-tiny';

test.use({ launchOptions: WEBGL_LAUNCH_OPTIONS });

const host = useSharedHost([packId]);

test('library: rename, tags, trash with Undo, restore, search, empty the trash', async ({ page }, info) => {
  test.setTimeout(8 * 60_000);
  const consoleErrors = watchConsoleErrors(page);

  // 1. One finished run: the mug example with its mask, the small pack, Generate.
  await page.goto(host().openUrl);
  await expect(page.locator('#pack-select option').first()).not.toHaveText('no packs installed', { timeout: 30_000 });
  await page.locator('#pack-select').selectOption(packId);
  await page.getByTestId('image-input').setInputFiles([path.join(example, 'image.png'), path.join(example, '0.png')]);
  await expect(page.getByRole('checkbox', { name: 'Use 0 in the run' })).toBeChecked();
  await page.getByLabel('Method').selectOption('fast-sam3d');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('mesh-counts').first()).toContainText('triangles', { timeout: 240_000 });

  // 2. The drawer (Ctrl+L): the card shows the source image and the time, not only "0 · fast-sam3d".
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('Control+l');
  const drawer = page.getByRole('complementary', { name: 'Library' });
  await expect(drawer).toBeVisible();
  await expect(drawer).toBeFocused();   // keyboard users land in the drawer, not behind it
  const original = '0 · fast-sam3d';
  const openOriginal = drawer.getByRole('button', { name: `Open run ${original}` });
  await expect(openOriginal).toBeVisible();
  await expect(openOriginal).toContainText('image.png');
  await expect(openOriginal.locator('time')).toHaveText(/\d/);
  await shot(page, info, 'library-01-run-card');

  // 3. Rename: the action does not open the run (the drawer stays), a blank name is refused with the
  // API's message, Esc cancels without closing the drawer, Enter saves.
  await drawer.getByRole('button', { name: `Rename run ${original}` }).click();
  const nameField = drawer.getByRole('textbox', { name: `New name for run ${original}` });
  await expect(nameField).toBeFocused();
  await nameField.fill('   ');
  await nameField.press('Enter');
  await expect(drawer.getByRole('alert')).toContainText('Renaming the run failed');
  await expect(drawer.getByRole('alert')).toContainText('name');
  await expect(nameField).toBeVisible();
  await shot(page, info, 'library-02-blank-name');
  await nameField.press('Escape');
  await expect(nameField).toBeHidden();
  await expect(drawer).toBeVisible();
  await expect(openOriginal).toBeVisible();
  await drawer.getByRole('button', { name: `Rename run ${original}` }).click();
  await nameField.fill('Coffee cup v1');
  await nameField.press('Enter');
  const name = 'Coffee cup v1';
  const card = drawer.getByRole('button', { name: `Open run ${name}` });
  await expect(card).toContainText(name);
  await expect(drawer.getByRole('button', { name: `Rename run ${name}` })).toBeFocused();   // keyboard users keep their place

  // 4. Tags (from the keyboard): comma-separated, shown as chips on the card.
  await drawer.getByRole('button', { name: `Edit tags of run ${name}` }).press('Enter');
  const tagField = drawer.getByRole('textbox', { name: `Tags of run ${name}, separated by commas` });
  await tagField.fill('blender, keeper,  ');
  await shot(page, info, 'library-03-tags-field');
  await tagField.press('Enter');
  await expect(tagField).toBeHidden();
  await expect(card.locator('.chip')).toHaveText(['blender', 'keeper']);
  await shot(page, info, 'library-04-renamed-tagged');

  // 5. Move to trash, then Undo in the status line.
  const trashToggle = drawer.getByRole('button', { name: /Trash \(\d+\)/ });
  await expect(trashToggle).toHaveText(/Trash \(0\)/);
  await drawer.getByRole('button', { name: `Move run ${name} to trash` }).click();
  await expect(card).toBeHidden();
  const status = drawer.locator('.lib-status');
  // It is the result on screen, and the note says what that means.
  await expect(status).toContainText(`Moved run “${name}” to the trash. It is the result on screen: it can still be exported until the trash is emptied.`);
  await expect(trashToggle).toHaveText(/Trash \(1\)/);
  // The card went with the focus on it: the focus goes to Undo, then to the restored card.
  await expect(status.getByRole('button', { name: 'Undo' })).toBeFocused();
  await shot(page, info, 'library-05-trashed-undo');
  await page.keyboard.press('Enter');
  await expect(card).toBeVisible();
  await expect(status).toContainText(`Restored run “${name}”.`);
  await expect(card).toBeFocused();
  await expect(trashToggle).toHaveText(/Trash \(0\)/);

  // 6. Trash again and restore it from the Trash section (collapsed until opened).
  await drawer.getByRole('button', { name: `Move run ${name} to trash` }).click();
  await expect(card).toBeHidden();
  await expect(trashToggle).toHaveAttribute('aria-expanded', 'false');
  await trashToggle.click();
  await expect(trashToggle).toHaveAttribute('aria-expanded', 'true');
  await shot(page, info, 'library-06-trash-open');
  await drawer.getByRole('button', { name: `Restore run ${name}` }).click();
  await expect(card).toBeVisible();
  await expect(drawer.locator('.trash').getByRole('status')).toHaveText(`Restored run “${name}”.`);
  await expect(status).toBeHidden();   // one status line: the older "Moved … Undo" is gone
  await expect(trashToggle).toHaveText(/Trash \(0\)/);
  await expect(drawer.getByText('The trash is empty.')).toBeVisible();

  // 7. Images move to the trash too (their runs go out of the list with them), with Undo.
  await drawer.getByRole('button', { name: 'Move image image.png to trash' }).click();
  await expect(drawer.getByRole('button', { name: 'Open image image.png' })).toBeHidden();
  await expect(card).toBeHidden();
  await expect(drawer.getByRole('button', { name: 'Restore image image.png' })).toBeVisible();
  await status.getByRole('button', { name: 'Undo' }).click();
  await expect(drawer.getByRole('button', { name: 'Open image image.png' })).toBeVisible();
  await expect(card).toBeVisible();

  // 7b. Images are renamed in place the same way ("image.png" from every SAM 3D folder says little).
  await drawer.getByRole('button', { name: 'Rename image image.png' }).click();
  const imageName = drawer.getByRole('textbox', { name: 'New name for image image.png' });
  await imageName.fill('red cup photo');
  await imageName.press('Enter');
  await expect(drawer.getByRole('button', { name: 'Open image red cup photo' })).toBeVisible();
  await expect(drawer.getByRole('button', { name: 'Rename image red cup photo' })).toBeFocused();

  // 8. Search: a match by method, then no match says so; an empty query lists everything again.
  const search = drawer.getByRole('searchbox', { name: 'Search runs by name' });
  await search.fill('fast-sam3d');
  await expect(card).toBeVisible();
  await search.fill('mug');
  await expect(drawer.getByText('No runs match “mug”.')).toBeVisible();
  await expect(drawer.getByText('No runs yet.')).toBeHidden();
  await shot(page, info, 'library-07-no-match');
  await search.fill('');
  await expect(card).toBeVisible();

  // 9. Empty the trash: the first click only asks, the second deletes and reports what went.
  await drawer.getByRole('button', { name: `Move run ${name} to trash` }).click();
  await expect(trashToggle).toHaveText(/Trash \(1\)/);
  await drawer.getByRole('button', { name: 'Empty trash' }).click();
  const really = drawer.getByRole('button', { name: 'Really empty the trash' });
  await expect(really).toBeVisible();
  await expect(drawer.getByRole('button', { name: `Restore run ${name}` })).toBeVisible();   // nothing deleted yet
  await shot(page, info, 'library-08-confirm-empty');
  await really.click();
  await expect(drawer.locator('.trash').getByRole('status')).toHaveText('Deleted 1 run, 0 images and 0 projects.');
  await expect(trashToggle).toHaveText(/Trash \(0\)/);
  await expect(drawer.getByText('No runs yet.')).toBeVisible();
  await shot(page, info, 'library-09-emptied');

  // Esc (outside a field) still closes the drawer.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  // Opened from nowhere in particular (Ctrl+L on the page): the focus comes back to the Library button.
  await expect(page.getByRole('button', { name: 'Library', exact: true })).toBeFocused();

  expect(consoleErrors, 'no errors in the window console').toEqual([]);
});

test('library: the same photo twice is one project; projects and the right-click menu', async ({ page }, info) => {
  test.setTimeout(3 * 60_000);
  const consoleErrors = watchConsoleErrors(page);
  // A photo under its own name, so its project is told apart from the other test's "image".
  const photo = path.join(info.outputDir, 'desk-chair.png');
  fs.mkdirSync(info.outputDir, { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'resources/examples/chair/image.png'), photo);

  // 1. Open the photo, then the same file again: reopened, not copied, and the status line says where it is.
  await page.goto(host().openUrl);
  const input = page.getByTestId('image-input');
  await input.setInputFiles([photo]);
  await expect(page.getByTestId('zoom-level')).toBeVisible();
  await input.setInputFiles([]);
  await input.setInputFiles([photo]);
  await expect(page.locator('.status[role="status"]')).toContainText('“desk-chair.png” is already in the library (project “desk-chair”): reopened it, no copy made.');
  await expect(page.locator('.status[role="status"]')).not.toContainText('in the Library');   // it has no results yet
  await shot(page, info, 'library-10-same-photo');

  // 2. The drawer's Projects: one card for it, with its counts.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('Control+l');
  const drawer = page.getByRole('complementary', { name: 'Library' });
  await expect(drawer.getByRole('heading', { name: 'Projects' })).toBeVisible();
  const project = drawer.getByRole('button', { name: 'Open project desk-chair' });
  await expect(project).toHaveCount(1);
  await expect(project).toContainText('1 image · 0 results');

  // 3. Right-click: the card's actions at the pointer; Esc closes the menu only, and the focus goes back.
  await project.click({ button: 'right' });
  const menu = page.getByRole('menu', { name: 'Actions for project desk-chair' });
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitem')).toHaveText(['Open', 'Rename…', 'Export project…', 'Move to trash']);
  await expect(menu.getByRole('menuitem', { name: 'Open' })).toBeFocused();
  await shot(page, info, 'library-11-context-menu');
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(drawer).toBeVisible();
  await expect(project).toBeFocused();

  // 4. From the keyboard (Shift+F10), Arrow down to Rename…, Enter: rename the project in place.
  await project.press('Shift+F10');
  await expect(menu).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: 'Rename…' })).toBeFocused();
  await page.keyboard.press('Enter');
  const field = drawer.getByRole('textbox', { name: 'New name for project desk-chair' });
  await expect(field).toBeFocused();
  await field.fill('Office chair shoot');
  await field.press('Enter');
  const renamed = drawer.getByRole('button', { name: 'Open project Office chair shoot' });
  await expect(renamed).toBeVisible();

  // 5. Opening a project shows its results and images alone; "All projects" goes back.
  await renamed.click();
  const filter = drawer.getByRole('status', { name: 'Shown project' });
  await expect(filter).toContainText('Project Office chair shoot');
  await expect(drawer.getByText('No runs in this project yet.')).toBeVisible();
  await expect(drawer.getByRole('button', { name: /^Open image / })).toHaveCount(1);
  await expect(drawer.getByRole('button', { name: 'Open image desk-chair.png' })).toBeVisible();
  await expect(drawer.getByRole('heading', { name: 'Projects' })).toBeHidden();
  await shot(page, info, 'library-12-one-project');

  // 6. The image card's menu moves it to the trash (Undo brings it back).
  await drawer.getByRole('button', { name: 'Open image desk-chair.png' }).click({ button: 'right' });
  await page.getByRole('menu', { name: 'Actions for image desk-chair.png' }).getByRole('menuitem', { name: 'Move to trash' }).click();
  await expect(drawer.getByRole('button', { name: 'Open image desk-chair.png' })).toBeHidden();
  const status = drawer.locator('.lib-status');
  await expect(status).toContainText('Moved image “desk-chair.png” to the trash.');
  await status.getByRole('button', { name: 'Undo' }).click();
  await expect(drawer.getByRole('button', { name: 'Open image desk-chair.png' })).toBeVisible();
  await filter.getByRole('button', { name: 'All projects' }).click();
  await expect(filter).toBeHidden();

  // 7. A project goes to the trash from its menu, and Undo restores it.
  await renamed.click({ button: 'right' });
  await menu.or(page.getByRole('menu')).getByRole('menuitem', { name: 'Move to trash' }).click();
  await expect(renamed).toBeHidden();
  await expect(status).toContainText('Moved project “Office chair shoot” to the trash.');
  await status.getByRole('button', { name: 'Undo' }).click();
  await expect(renamed).toBeVisible();

  expect(consoleErrors, 'no errors in the window console').toEqual([]);
});

test('library: long names stay inside their cards, tags in natural order, one full stop, Export takes a new name', async ({ page }, info) => {
  test.setTimeout(6 * 60_000);
  const consoleErrors = watchConsoleErrors(page);
  // A photo (with its mask) under a long unbroken name: its run card's source line repeats it.
  const stem = `table_${'x'.repeat(140)}`;
  const folder = path.join(info.outputDir, 'long');
  fs.mkdirSync(folder, { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'resources/examples/table/image.png'), path.join(folder, `${stem}.png`));
  fs.copyFileSync(path.join(ROOT, 'resources/examples/table/0.png'), path.join(folder, '0.png'));

  await page.goto(host().openUrl);
  await expect(page.locator('#pack-select option').first()).not.toHaveText('no packs installed', { timeout: 30_000 });
  await page.locator('#pack-select').selectOption(packId);
  await page.getByTestId('image-input').setInputFiles([path.join(folder, `${stem}.png`), path.join(folder, '0.png')]);
  await expect(page.getByRole('checkbox', { name: 'Use 0 in the run' })).toBeChecked();
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('mesh-counts').first()).toContainText('triangles', { timeout: 240_000 });

  await page.getByRole('button', { name: 'Library', exact: true }).click();
  const drawer = page.getByRole('complementary', { name: 'Library' });
  const item = drawer.locator('.lib-item').filter({ has: page.getByRole('button', { name: /^Open run / }) }).filter({ hasText: stem.slice(0, 40) }).first();
  await expect(item).toBeVisible();
  const runName = (await item.getByRole('button', { name: /^Open run / }).getAttribute('aria-label'))!.slice('Open run '.length);

  // Every line of the card ends inside the card, left of its buttons and of the drawer's edge.
  const overflow = () => item.evaluate((li) => {
    const card = li.querySelector('.card')!.getBoundingClientRect();
    const actions = li.querySelector('.card-actions')!.getBoundingClientRect();
    const drawerBox = li.closest('.drawer')!.getBoundingClientRect();
    const lines = [...li.querySelectorAll('.card-text > *')].map((el) => {
      // The text's own extent (a clipped line is as wide as its box; its text may be wider, hidden).
      const r = el.getBoundingClientRect();
      return { text: (el.textContent ?? '').slice(0, 30), right: r.right, clipped: el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'hidden' };
    });
    return {
      cardInside: card.right <= actions.left + 0.5 && actions.right <= drawerBox.right + 0.5,
      out: lines.filter((l) => l.right > card.right + 0.5 || l.clipped).map((l) => l.text),
    };
  });
  expect(await overflow()).toEqual({ cardInside: true, out: [] });
  // The shortened source line carries its full text in a title.
  await expect(item.locator('.card-text > .line')).toHaveAttribute('title', new RegExp(`^${stem}\\.png`));
  await shot(page, info, 'library-20-long-names');

  // Tags in natural order: t1, t2, t10 (not t1, t10, t2).
  await drawer.getByRole('button', { name: `Edit tags of run ${runName}` }).click();
  const tags = drawer.getByRole('textbox', { name: `Tags of run ${runName}, separated by commas` });
  await tags.fill('t10, t2, t1');
  await tags.press('Enter');
  await expect(tags).toBeHidden();
  await expect(item.locator('.chip')).toHaveText(['t1', 't2', 't10']);
  // A refused tag: the API's sentence, ended once.
  await drawer.getByRole('button', { name: `Edit tags of run ${runName}` }).click();
  await expect(tags).toHaveValue('t1, t2, t10');
  await tags.fill('x'.repeat(65));
  await tags.press('Enter');
  const alert = drawer.getByRole('alert');
  await expect(alert).toContainText('Saving the tags failed');
  expect(await alert.textContent()).toMatch(/[^.]\.$/);
  await tags.press('Escape');

  // Renamed in the Library: the Export dialog (Ctrl+E) takes the new name.
  await drawer.getByRole('button', { name: `Rename run ${runName}` }).click();
  const nameField = drawer.getByRole('textbox', { name: `New name for run ${runName}` });
  await nameField.fill('Long table, renamed');
  await nameField.press('Enter');
  await expect(drawer.getByRole('button', { name: 'Open run Long table, renamed' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('Control+e');
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await expect(dialog).toBeVisible();
  await expect(dialog.locator('p.muted').first()).toHaveText('Long table, renamed');
  await dialog.getByRole('button', { name: 'Close' }).click();

  expect(consoleErrors, 'no errors in the window console').toEqual([]);
});

test('library: a photo deleted for good while open (its trash emptied) is added back by Generate, with its masks', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  const consoleErrors = watchConsoleErrors(page);
  // A photo of its own (other bytes than the other tests' mug), with the mug's mask.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs3d-gone-'));
  const photo = path.join(dir, 'gone-mug.png');
  await sharp(path.join(example, 'image.png')).modulate({ brightness: 1.05 }).png().toFile(photo);
  await page.goto(host().openUrl);
  await expect(page.locator('#pack-select option').first()).not.toHaveText('no packs installed', { timeout: 30_000 });
  await page.locator('#pack-select').selectOption(packId);
  await page.getByTestId('image-input').setInputFiles([photo, path.join(example, '0.png')]);
  const generate = page.getByRole('button', { name: 'Generate' });
  await generate.click();
  await expect(page.getByTestId('mesh-counts').first()).toContainText('triangles', { timeout: 240_000 });

  // Its project to the trash, and the trash emptied, while the photo stays open in the editor.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('Control+l');
  const drawer = page.getByRole('complementary', { name: 'Library' });
  await drawer.getByRole('button', { name: 'Open image gone-mug.png' }).click({ button: 'right' });
  await page.getByRole('menu', { name: 'Actions for image gone-mug.png' }).getByRole('menuitem', { name: 'Move to trash' }).click();
  // It says that this is the photo on screen, and what trashing it means for the work there.
  await expect(drawer.locator('.lib-status')).toContainText('Moved image “gone-mug.png” to the trash. It is the photo open in the editor: restore it (Undo)');
  await drawer.getByRole('button', { name: /Trash \(\d+\)/ }).click();
  await drawer.getByRole('button', { name: 'Empty trash' }).click();
  await drawer.getByRole('button', { name: 'Really empty the trash' }).click();
  await expect(drawer.locator('.trash').getByRole('status')).toContainText('Deleted');
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();

  // The result on screen went with it: Export says so and what to do.
  await page.keyboard.press('Control+e');
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await dialog.getByRole('button', { name: 'Export files' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('Export failed: this result was deleted from the library (its trash was emptied). Generate it again, then export.');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // Generate still works: the photo and its mask go back into the library, and it says so.
  await generate.click();
  await expect(page.getByText(/had been deleted from the library while it was open here/)).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('mesh-counts').first()).toContainText('triangles', { timeout: 240_000 });
  await page.keyboard.press('Control+l');
  await expect(drawer.getByRole('button', { name: 'Open image gone-mug.png' })).toBeVisible();
  expect(consoleErrors).toEqual([]);
});
