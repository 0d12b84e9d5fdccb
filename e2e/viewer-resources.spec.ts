/**
 * The 3D viewer's GPU resources in the real window (Debian's Chromium, SwiftShader WebGL, the built
 * browser host, the test-tiny pack): results generated one after another, each looked at in the posed
 * view and back, leave as many geometries and textures on the GPU as the first did (each replaced mesh,
 * frustum and photo texture is disposed); and a lost WebGL context is said so over the view, comes back
 * when the browser restores it, and "Reload view" gives a working view when it does not.
 * The counts come from the viewer's test hook `window.__studioViewerInfo()` (three's renderer.info.memory).
 */
import { test, expect, type Page } from '@playwright/test';
import path from 'node:path';
import { WEBGL_LAUNCH_OPTIONS } from './helpers/chromium';
import { openPhotoWithPack, ROOT, useSharedHost, watchConsoleErrors } from './helpers/host';

test.use({ launchOptions: WEBGL_LAUNCH_OPTIONS });

const host = useSharedHost(['test-tiny']);
const mug = path.join(ROOT, 'resources/examples/mug');

interface CanvasInfo { canvas: string; geometries: number; textures: number }

/** The main viewer canvas's counts; none until its renderer is set up (R3F does that asynchronously). */
async function viewerInfo(page: Page): Promise<CanvasInfo> {
  const all = await page.evaluate(() => (window as unknown as { __studioViewerInfo?: () => CanvasInfo[] }).__studioViewerInfo?.() ?? []);
  return all.find((c) => c.canvas === 'viewer-canvas') ?? { canvas: 'none', geometries: 0, textures: 0 };
}

/** Generate with `seed` and wait until that run is the one shown and its mesh is in the viewer. */
async function generate(page: Page, seed: number): Promise<void> {
  await page.getByLabel('seed', { exact: true }).fill(String(seed));
  await page.getByRole('button', { name: 'Generate' }).click();
  const shown = page.getByRole('navigation', { name: 'Results of this photo' }).locator('button[aria-current="true"]');
  await expect(shown).toHaveAttribute('aria-label', new RegExp(`· seed ${seed}( ·|$)`), { timeout: 60_000 });
  await expect(page.getByTestId('mesh-counts').first()).toContainText('triangles');
}

/** P twice: into the posed view (frustum, photo plane) and back, drawing each. */
async function togglePosed(page: Page): Promise<void> {
  const posed = page.getByRole('checkbox', { name: 'Posed scene (camera + photo)' });
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (const on of [true, false]) {
    await page.locator('body').press('p');
    if (on) await expect(posed).toBeChecked(); else await expect(posed).not.toBeChecked();
    await page.waitForTimeout(250); // the on-demand frame that uploads what the view shows
  }
}

async function openMug(page: Page): Promise<void> {
  await openPhotoWithPack(page, host().openUrl, 'test-tiny', [path.join(mug, 'image.png'), path.join(mug, '0.png')]);
  await expect(page.getByRole('checkbox', { name: 'Use 0 in the run' })).toBeChecked();
}

test('viewer GPU resources stay flat over repeated results and posed-view toggles', async ({ page }, info) => {
  test.setTimeout(3 * 60_000);
  const consoleErrors = watchConsoleErrors(page);
  await openMug(page);
  await generate(page, 101);
  await togglePosed(page);
  await expect.poll(async () => (await viewerInfo(page)).geometries, 'the mesh is on the GPU').toBeGreaterThan(0);
  const first = await viewerInfo(page);

  const seen: CanvasInfo[] = [first];
  for (const seed of [102, 103, 104]) {
    await generate(page, seed);
    await togglePosed(page);
    // The new mesh is drawn and the old one let go: back to the first result's counts (one spare each
    // for a frame in flight), not one more mesh, frustum and photo texture per result.
    await expect.poll(async () => { const n = await viewerInfo(page); return Math.max(n.geometries - first.geometries, n.textures - first.textures); },
      { timeout: 10_000, message: `geometries or textures added since the first result ${JSON.stringify(first)}, after seed ${seed}` }).toBeLessThanOrEqual(1);
    seen.push(await viewerInfo(page));
  }
  info.annotations.push({ type: 'viewer GPU counts per result', description: seen.map((c) => `${c.geometries} geometries, ${c.textures} textures`).join(' | ') });
  expect(consoleErrors).toEqual([]);
});

test('a lost WebGL context is said over the view, restored or reloaded', async ({ page }) => {
  test.setTimeout(2 * 60_000);
  await openMug(page);
  await generate(page, 7);
  await expect.poll(async () => (await viewerInfo(page)).geometries).toBeGreaterThan(0);
  const canvas = page.getByTestId('viewer-canvas').locator('canvas').first();
  const lostNote = page.getByTestId('viewer-context-lost');
  // The context's own WEBGL_lose_context extension stands in for a GPU reset.
  const lose = () => canvas.evaluate((c: HTMLCanvasElement) => {
    const ext = (c.getContext('webgl2') ?? c.getContext('webgl'))!.getExtension('WEBGL_lose_context')!;
    (window as unknown as { lostExt: WEBGL_lose_context }).lostExt = ext;
    ext.loseContext();
  });

  await lose();
  await expect(lostNote).toContainText('The 3D view lost its graphics context (the GPU was reset or is busy)');
  // Restored by the browser: the message goes and the view draws again.
  await page.evaluate(() => (window as unknown as { lostExt: WEBGL_lose_context }).lostExt.restoreContext());
  await expect(lostNote).toBeHidden();
  await expect.poll(async () => (await viewerInfo(page)).geometries).toBeGreaterThan(0);

  // Not restored: "Reload view" mounts a new canvas with a working context, the mesh drawn in it.
  await lose();
  await expect(lostNote).toBeVisible();
  await lostNote.getByRole('button', { name: 'Reload view' }).click();
  await expect(lostNote).toBeHidden();
  await expect.poll(async () => (await viewerInfo(page)).geometries).toBeGreaterThan(0);
  expect(await page.getByTestId('viewer-canvas').locator('canvas').count()).toBe(1);
});
