/**
 * The 3D viewer in the real window (Debian's Chromium, SwiftShader WebGL, the built browser host, the
 * test-tiny pack):
 * - switching Compare between side by side and overlay keeps the canvases: the camera each was orbited
 *   to (position, orbit target, zoom) is where it was after the switches, the result's canvas is the same
 *   element, and no WebGL context is created by a switch;
 * - result GLBs are parsed in the mesh worker, not on the window's thread, and shown with their vertex
 *   count, a large one (120,000 vertices, put in place of the run's GLB on its way to the window) too.
 * State comes from the viewer's test hooks: `window.__studioViewerInfo()` (each canvas's renderer counts
 * and camera) and `window.__studioMeshParses()` (where each parse ran, as the parse itself saw it).
 */
import { test, expect, type Page } from '@playwright/test';
import path from 'node:path';
import { glbBytes } from '../src-main/export/glb';
import type { Mesh } from '../src-main/pipeline/types';
import { WEBGL_LAUNCH_OPTIONS } from './helpers/chromium';
import { openPhotoWithPack, ROOT, useSharedHost, watchConsoleErrors } from './helpers/host';

test.use({ launchOptions: WEBGL_LAUNCH_OPTIONS });

const host = useSharedHost(['test-tiny']);
const mug = path.join(ROOT, 'resources/examples/mug');

interface Pose { position: number[]; target: number[] | null; zoom: number }
interface CanvasInfo { canvas: string; geometries: number; textures: number; camera: Pose }
interface ParseRecord { thread: string; vertices: number; triangles: number; bytes: number; parseMs: number }

async function canvasInfo(page: Page, canvas: string): Promise<CanvasInfo | null> {
  const all = await page.evaluate(() => (window as unknown as { __studioViewerInfo?: () => CanvasInfo[] }).__studioViewerInfo?.() ?? []);
  return all.find((c) => c.canvas === canvas) ?? null;
}

async function meshParses(page: Page): Promise<ParseRecord[]> {
  return page.evaluate(() => (window as unknown as { __studioMeshParses?: () => ParseRecord[] }).__studioMeshParses?.() ?? []);
}

/**
 * The camera of `canvas` once it has stopped moving (a fit glides over a second): the same in three
 * readings in a row, each after the page drew a frame and some time passed.
 */
async function settledPose(page: Page, canvas: string): Promise<Pose> {
  let last = '';
  let same = 0;
  await expect.poll(async () => {
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const now = JSON.stringify((await canvasInfo(page, canvas))?.camera ?? null);
    same = now === last && now !== 'null' ? same + 1 : 0;
    last = now;
    return same;
  }, { message: `the camera of ${canvas} comes to rest`, intervals: [250], timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  return JSON.parse(last) as Pose;
}

function expectSamePose(actual: Pose, expected: Pose, what: string): void {
  const flat = (p: Pose) => [...p.position, ...(p.target ?? [NaN, NaN, NaN]), p.zoom];
  const a = flat(actual), e = flat(expected);
  for (let i = 0; i < e.length; i++) expect(a[i], `${what}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`).toBeCloseTo(e[i], 6);
}

const distance = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** Counts every WebGL context the page creates (a context asked for again on the same canvas counts once). */
function countWebglContexts(): void {
  const seen = new WeakSet<object>();
  const w = window as unknown as { __webglContexts: number };
  w.__webglContexts = 0;
  const original = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, ...args: unknown[]) {
    const ctx = (original as (...a: unknown[]) => RenderingContext | null).apply(this, args);
    if (ctx && /^webgl/.test(String(args[0])) && !seen.has(ctx)) { seen.add(ctx); w.__webglContexts++; }
    return ctx;
  } as typeof original;
}

async function openMug(page: Page): Promise<void> {
  await openPhotoWithPack(page, host().openUrl, 'test-tiny', [path.join(mug, 'image.png'), path.join(mug, '0.png')]);
  await expect(page.getByRole('checkbox', { name: 'Use 0 in the run' })).toBeChecked();
}

/** Run `button` (Generate or Compare) with `seed`; resolves once that run is the one shown and its mesh is in the viewer. */
async function run(page: Page, button: 'Generate' | 'Compare', seed: number): Promise<void> {
  await page.getByLabel('seed', { exact: true }).fill(String(seed));
  await page.getByRole('button', { name: button, exact: true }).click();
  const shown = page.getByRole('navigation', { name: 'Results of this photo' }).locator('button[aria-current="true"]');
  await expect(shown).toHaveAttribute('aria-label', new RegExp(`· seed ${seed}( ·|$)`), { timeout: 90_000 });
  await expect(page.getByTestId('mesh-counts').first()).toContainText('triangles');
}

/** Drag across the middle of `canvas` (an orbit) and turn the wheel over it (a dolly). */
async function orbit(page: Page, canvas: string, dx: number, dy: number, wheel: number): Promise<void> {
  const box = (await page.getByTestId(canvas).boundingBox())!;
  const x = box.x + box.width * 0.4, y = box.y + box.height * 0.45;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx, y + dy, { steps: 8 });
  await page.mouse.up();
  await page.mouse.wheel(0, wheel);
}

test('switching Compare between side by side and overlay keeps the cameras, the canvases and their WebGL contexts', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  const consoleErrors = watchConsoleErrors(page);
  await page.addInitScript(countWebglContexts);
  await openMug(page);
  await run(page, 'Compare', 21);
  await expect(page.getByTestId('speedup')).toBeVisible({ timeout: 90_000 });
  const sideBySide = page.getByRole('radio', { name: 'Side by side' });
  const overlay = page.getByRole('radio', { name: 'Overlay' });
  await expect(sideBySide).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('baseline-canvas')).toBeVisible();
  for (const c of ['viewer-canvas', 'baseline-canvas']) {
    await expect.poll(async () => (await canvasInfo(page, c))?.geometries ?? 0, `${c} has its mesh on the GPU`).toBeGreaterThan(0);
  }

  // The artist orbits and dollies both views away from where they were framed.
  const framed = await settledPose(page, 'viewer-canvas');
  await orbit(page, 'viewer-canvas', 140, 50, -300);
  await orbit(page, 'baseline-canvas', -90, -30, 200);
  const result = await settledPose(page, 'viewer-canvas');
  const baseline = await settledPose(page, 'baseline-canvas');
  expect(distance(result.position, framed.position), 'the drag moved the camera').toBeGreaterThan(0.05);
  expect(distance(result.position, baseline.position), 'the two views were orbited apart').toBeGreaterThan(0.05);

  const contexts = () => page.evaluate(() => (window as unknown as { __webglContexts: number }).__webglContexts);
  const canvases = () => page.getByRole('region', { name: '3D viewer' }).locator('canvas').count();
  const contextsBefore = await contexts();
  const canvasesBefore = await canvases();
  expect(contextsBefore, 'one WebGL context per view').toBe(2);
  expect(canvasesBefore, 'one canvas per view').toBe(2);
  const sideGeometries = (await canvasInfo(page, 'viewer-canvas'))!.geometries;
  // Mark the result's canvas element: the same element must be there after the switches.
  await page.getByTestId('viewer-canvas').locator('canvas').evaluate((c) => { c.dataset.e2eMark = 'kept'; });

  for (let round = 1; round <= 2; round++) {
    await overlay.click();
    await expect(overlay).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByTestId('overlay-key')).toBeVisible();
    await expect(page.getByTestId('baseline-canvas')).toBeHidden();
    // The overlay draws the baseline's ghost in the result's view: one more geometry there.
    await expect.poll(async () => (await canvasInfo(page, 'viewer-canvas'))!.geometries, 'the baseline ghost is drawn in the overlay').toBeGreaterThan(sideGeometries);
    expectSamePose(await settledPose(page, 'viewer-canvas'), result, `result view in the overlay (round ${round})`);

    await sideBySide.click();
    await expect(page.getByTestId('baseline-canvas')).toBeVisible();
    await expect(page.getByTestId('overlay-key')).toBeHidden();
    expectSamePose(await settledPose(page, 'viewer-canvas'), result, `result view back side by side (round ${round})`);
    expectSamePose(await settledPose(page, 'baseline-canvas'), baseline, `baseline view back side by side (round ${round})`);
    expect(await contexts(), `WebGL contexts after ${round} round(s) of switching`).toBe(contextsBefore);
    expect(await canvases(), `canvases after ${round} round(s) of switching`).toBe(canvasesBefore);
  }
  await expect(page.getByTestId('viewer-canvas').locator('canvas[data-e2e-mark="kept"]')).toHaveCount(1);
  // Both views still draw their meshes.
  for (const c of ['viewer-canvas', 'baseline-canvas']) expect((await canvasInfo(page, c))!.geometries).toBeGreaterThan(0);
  expect(consoleErrors).toEqual([]);
});

/** A UV sphere of (rings + 1) × segments vertices, coloured by height. */
function sphere(rings: number, segments: number): Mesh {
  const v = (rings + 1) * segments;
  const positions = new Float32Array(v * 3), colors = new Float32Array(v * 3), indices = new Uint32Array(rings * segments * 6);
  for (let r = 0, p = 0; r <= rings; r++) {
    const phi = (Math.PI * r) / rings;
    for (let s = 0; s < segments; s++, p += 3) {
      const th = (2 * Math.PI * s) / segments;
      positions.set([0.4 * Math.sin(phi) * Math.cos(th), 0.4 * Math.sin(phi) * Math.sin(th), 0.4 * Math.cos(phi)], p);
      colors.set([0.5 + positions[p + 2], 0.35, 0.5 - positions[p + 2]], p);
    }
  }
  for (let r = 0, o = 0; r < rings; r++) for (let s = 0; s < segments; s++) {
    const a = r * segments + s, b = r * segments + ((s + 1) % segments);
    indices.set([a, a + segments, b, b, a + segments, b + segments], o);
    o += 6;
  }
  return { positions, colors, indices };
}

/** The vertex count the toolbar shows ("<label>: 1,234 vertices · …"), whatever the digit grouping. */
async function shownVertices(page: Page): Promise<number> {
  const text = (await page.getByTestId('mesh-counts').first().textContent()) ?? '';
  const m = /:\s*([\d\s.,\u00a0\u202f]+)\s+vertices/.exec(text);
  return m ? Number(m[1].replace(/\D/g, '')) : NaN;
}

test('result GLBs are parsed in the mesh worker, a large one too, and shown with their vertex count', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  const consoleErrors = watchConsoleErrors(page);
  // A large result: 120,400 vertices and 240,000 triangles (about 8 MB of GLB), written by the app's own
  // GLB exporter.
  const big = sphere(300, 400);
  const bigVertices = big.positions.length / 3;
  const bigGlb = Buffer.from(await glbBytes(big));
  // Once `swap` is on, the host's answers to `artefacts.read` (the viewer fetching a result's GLB) carry
  // the large GLB instead: the window loads it as it would load a large result.
  let swap = false;
  await page.routeWebSocket(/\/api\?/, (ws) => {
    const server = ws.connectToServer();
    const reads = new Set<unknown>();
    ws.onMessage((m) => {
      const msg = JSON.parse(String(m)) as { id?: unknown; method?: string };
      if (msg.method === 'artefacts.read') reads.add(msg.id);
      server.send(m);
    });
    server.onMessage((m) => {
      const msg = JSON.parse(String(m)) as { id?: unknown; ok?: boolean; result?: { data?: string } };
      if (swap && msg.ok && reads.has(msg.id) && msg.result?.data) {
        reads.delete(msg.id);
        msg.result.data = bigGlb.toString('base64');
        ws.send(JSON.stringify(msg));
        return;
      }
      ws.send(m);
    });
  });

  await openMug(page);
  await run(page, 'Generate', 31);
  const first = (await meshParses(page)).at(-1);
  expect(first, 'a parse was recorded').toBeTruthy();
  expect(first!.thread, 'the result GLB was parsed in the mesh worker').toBe('DedicatedWorkerGlobalScope');
  expect(first!.vertices).toBeGreaterThan(0);
  expect(await shownVertices(page), 'the toolbar shows the parsed vertex count').toBe(first!.vertices);
  await expect.poll(async () => (await canvasInfo(page, 'viewer-canvas'))?.geometries ?? 0).toBeGreaterThan(0);

  swap = true;
  await run(page, 'Generate', 32);
  await expect.poll(() => shownVertices(page), 'the large mesh is shown with its vertex count').toBe(bigVertices);
  const last = (await meshParses(page)).at(-1)!;
  expect(last).toMatchObject({ thread: 'DedicatedWorkerGlobalScope', vertices: bigVertices, triangles: 300 * 400 * 2, bytes: bigGlb.byteLength });
  // Every parse of this window ran in the worker.
  for (const p of await meshParses(page)) expect(p.thread).toBe('DedicatedWorkerGlobalScope');
  // It is drawn: its buffers are on the GPU, the previous mesh's let go.
  await expect.poll(async () => (await canvasInfo(page, 'viewer-canvas'))?.geometries ?? 0).toBeGreaterThan(0);
  expect(consoleErrors).toEqual([]);
});
