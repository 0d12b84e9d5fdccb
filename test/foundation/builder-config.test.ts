/**
 * The installer configuration (electron-builder.json) checked where installers cannot be built (no
 * Electron binary): it passes electron-builder's own schema validation, targets AppImage+deb / NSIS / dmg,
 * keeps every native module and the model packs outside the asar archive, and points at files the build
 * really produces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { ROOT } from './helpers';

// electron-builder's own loader and schema validator (CommonJS internals of the pinned version).
const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<Record<string, unknown>>;
  validateConfiguration(config: Record<string, unknown>, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
// The glob matcher electron-builder itself uses for `files` and `filter` patterns.
const { minimatch } = require('minimatch') as { minimatch: (path: string, pattern: string, options?: { dot?: boolean }) => boolean };

const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'electron-builder.json'), 'utf8'));
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Minimal glob for the patterns used in the config: `dir/**` prefixes. */
const unpacked = (rel: string) => (config.asarUnpack as string[]).some((p) => p.endsWith('/**') && rel.startsWith(p.slice(0, -2)));

describe('electron-builder configuration', () => {
  it("loads through electron-builder's own config loader and passes its schema validation", async () => {
    const loaded = await getConfig(ROOT, path.join(ROOT, 'electron-builder.json'), null);
    expect(loaded.appId).toBe(config.appId);
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
    // The validator is not a formality: a misspelt option is rejected.
    await expect(validateConfiguration({ ...loaded, asarUnpak: ['x'] }, new DebugLogger(false))).rejects.toThrow(/asarUnpak/);
  });

  it('builds AppImage and deb on Linux, NSIS on Windows, dmg on macOS (Apple silicon only)', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    // onnxruntime-node ships no Intel macOS binary: an x64 dmg would install an app that cannot infer.
    expect(config.mac.target).toEqual([{ target: 'dmg', arch: ['arm64'] }]);
    expect(pkg.scripts.dist).toBe('node scripts/dist.mjs');
    expect(fs.readFileSync(path.join(ROOT, 'scripts/dist.mjs'), 'utf8')).toContain("'--config', 'electron-builder.json'");
    expect(pkg.productName).toBe(config.productName);
  });

  it('keeps native modules, their shared libraries and sharp outside the asar', () => {
    expect(config.asar).toBe(true);
    for (const dep of ['better-sqlite3', 'onnxruntime-node', 'sharp']) expect(pkg.dependencies[dep]).toBeDefined();
    // Every native binary and shared library present in node_modules for these packages is covered.
    const natives: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(rel);
        else if (/\.(node|so(\.\d+)*|dylib|dll)$/.test(e.name)) natives.push(rel);
      }
    };
    for (const d of ['node_modules/better-sqlite3', 'node_modules/onnxruntime-node', 'node_modules/@img']) walk(d);
    expect(natives.some((n) => n.endsWith('better_sqlite3.node'))).toBe(true);
    expect(natives.some((n) => /libonnxruntime\.so\.1$/.test(n))).toBe(true);
    expect(natives.some((n) => n.includes('@img/sharp-'))).toBe(true);
    expect(natives.filter((n) => !unpacked(n))).toEqual([]);
    // The onnxruntime binding loads libonnxruntime from its own folder, so the whole package is unpacked.
    expect(unpacked('node_modules/onnxruntime-node/dist/index.js')).toBe(true);
  });

  it("ships each installer its own platform's onnxruntime binaries, and no other's", () => {
    const bin = 'node_modules/onnxruntime-node/bin/napi-v6';
    const shipped = (platform: 'linux' | 'win' | 'mac', rel: string) =>
      [...config.files, ...(config[platform].files ?? [])].filter((p: string) => p.startsWith('!')).every((p: string) => !minimatch(rel, p.slice(1)));
    const targets = [['linux', 'linux', 'x64'], ['win', 'win32', 'x64'], ['mac', 'darwin', 'arm64']] as const;
    for (const [platform, os, arch] of targets) {
      const binding = `${bin}/${os}/${arch}/onnxruntime_binding.node`;
      expect(fs.existsSync(path.join(ROOT, binding)), binding).toBe(true);
      expect(shipped(platform, binding), `${platform} ships ${binding}`).toBe(true);
      for (const [, other] of targets.filter(([p]) => p !== platform)) {
        for (const a of fs.readdirSync(path.join(ROOT, bin, other))) {
          expect(shipped(platform, `${bin}/${other}/${a}/onnxruntime_binding.node`), `${platform} leaves out ${other}/${a}`).toBe(false);
        }
      }
    }
  });

  it('hardens the shipped binary: no ELECTRON_RUN_AS_NODE, NODE_OPTIONS or --inspect, the app only from its asar', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false, onlyLoadAppFromAsar: true,
    });
    // The worker is a utilityProcess, which does not need ELECTRON_RUN_AS_NODE.
    expect(fs.readFileSync(path.join(ROOT, 'src-main/app/utility-worker.ts'), 'utf8')).toContain('utilityProcess.fork');
    expect(fs.readFileSync(path.join(ROOT, 'src-main/app/main.ts'), 'utf8')).toContain('app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL');
  });

  it('ships the model packs as extra resources where the app looks for them, with their model cards, without the random test packs', () => {
    const models = config.extraResources.find((r: { from: string }) => r.from === 'models');
    expect(models).toMatchObject({ to: 'models' });
    const kept = (rel: string) => (models.filter as string[]).every((p) => (p.startsWith('!') ? !minimatch(rel, p.slice(1)) : true))
      && (models.filter as string[]).some((p) => !p.startsWith('!') && minimatch(rel, p));
    for (const f of ['mini/manifest.json', 'mini/MODEL_CARD.md', 'mini/ss_flow.onnx', 'seg-mini/MODEL_CARD.md']) expect(kept(f), f).toBe(true);
    for (const f of ['test-tiny/manifest.json', 'seg-tiny/encoder.onnx']) expect(kept(f), f).toBe(false);
    expect(fs.readFileSync(path.join(ROOT, 'src-main/app/main.ts'), 'utf8')).toContain("path.join(process.resourcesPath, 'models')");
    expect(fs.existsSync(path.join(ROOT, 'models/test-tiny/manifest.json'))).toBe(true);
  });

  it('includes the built app and excludes sources and tests', () => {
    expect(config.files).toEqual(expect.arrayContaining(['out/**/*', 'package.json']));
    expect(config.files.some((f: string) => f.startsWith('src-'))).toBe(false);
    expect(config.files).toContain('!**/*.map');
    // package.json's entry is what electron-vite writes (main build input `index`).
    expect(pkg.main).toBe('./out/main/index.js');
    const vite = fs.readFileSync(path.join(ROOT, 'electron.vite.config.ts'), 'utf8');
    expect(vite).toMatch(/index: resolve\(root, 'src-main\/app\/main\.ts'\)/);
    expect(vite).toMatch(/worker: resolve\(root, 'src-main\/inference\/worker\.ts'\)/);
    expect(fs.readFileSync(path.join(ROOT, 'src-main/app/main.ts'), 'utf8')).toContain("path.join(here, 'worker.js')");
  });
});
