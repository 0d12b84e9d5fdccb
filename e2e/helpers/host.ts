/**
 * The built browser host (`out/main/serve.js`) as a real process on a free port with a temp data dir,
 * for end-to-end tests (startBuiltHost resolves once it printed the URL to open; useSharedHost gives a
 * spec file one for all its tests), and the window's console errors (watchConsoleErrors).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILT_HOST = path.join(ROOT, 'out/main/serve.js');
export const BUILT_WINDOW = path.join(ROOT, 'out/renderer/index.html');

export interface E2eHost {
  /** URL with the token: what a user opens. */
  openUrl: string;
  origin: string;
  token: string;
  dataDir: string;
  log: () => string;
  stop(): Promise<void>;
}

export function isBuilt(): boolean {
  return fs.existsSync(BUILT_HOST) && fs.existsSync(BUILT_WINDOW);
}

/**
 * Fail (not skip) when what a browser test needs is missing: the committed model packs under models/
 * (`packs`, e.g. 'test-tiny') and the built app are part of the repository and of `npm run test:e2e`
 * (ensure-build), so missing means broken, and a skipped test would check nothing.
 */
export function requireE2eInputs(packs: string[]): void {
  for (const id of packs) {
    const manifest = path.join(ROOT, 'models', id, 'manifest.json');
    if (!fs.existsSync(manifest)) throw new Error(`${manifest} is missing: the committed ${id} pack is needed.`);
  }
  if (!isBuilt()) throw new Error('The app is not built: run `npm run build` (npm run test:e2e does it first).');
}

export async function startBuiltHost(extraArgs: string[] = []): Promise<E2eHost> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam3d-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [BUILT_HOST, '--port', '0', '--data-dir', dataDir, ...extraArgs], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const openUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the host did not print its URL within 60 s:\n${log}`)), 60_000);
    const onData = (b: Buffer) => {
      log += b.toString();
      const m = /Open: (\S+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the host exited with ${code}:\n${log}`)); });
  });
  const u = new URL(openUrl);
  return {
    openUrl, origin: u.origin, token: u.searchParams.get('token') ?? '', dataDir, log: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One built host for every test of a spec file (call at its top level): fails first when the packs or the
 * build are missing, stops the host after the last test. Returns the running host.
 */
export function useSharedHost(packs: string[]): () => E2eHost {
  let host: E2eHost | undefined;
  test.beforeAll(async () => {
    requireE2eInputs(packs);
    host = await startBuiltHost();
  });
  test.afterAll(async () => {
    await host?.stop();
  });
  return () => {
    if (!host) throw new Error('the shared host is not running (useSharedHost must be called at the top level of the spec)');
    return host;
  };
}

/** Open the window, choose `pack` once the host lists its packs, and load a photo with its mask files. */
export async function openPhotoWithPack(page: Page, openUrl: string, pack: string, files: string[]): Promise<void> {
  await page.goto(openUrl);
  await expect(page.locator('#pack-select option').first()).not.toHaveText('no packs installed', { timeout: 30_000 });
  await page.locator('#pack-select').selectOption(pack);
  await page.getByTestId('image-input').setInputFiles(files);
}

/** The window's console errors and uncaught exceptions from now on; a test ends by expecting none. */
export function watchConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}
