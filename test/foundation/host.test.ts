/**
 * The browser host as a real process: it binds loopback by default, refuses other addresses without a
 * token, requires the token for the API and for asset files, refuses cross-origin WebSocket upgrades,
 * and answers every malformed message with an error reply instead of crashing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegularFile } from '../../src-main/host/static-files';
import { openApi, ROOT, serveRefuses, startServe, tinyRendererDir, type ServeProcess } from './helpers';

let host: ServeProcess;

beforeAll(async () => {
  host = await startServe(['--renderer-dir', tinyRendererDir()]);
});
afterAll(async () => {
  await host?.stop();
});

const wsUrl = (token = host.token) => `${host.url.replace('http', 'ws')}api?token=${encodeURIComponent(token)}`;

function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
    ws.on('open', () => { resolve(101); ws.close(); });
    ws.on('error', () => {});
  });
}

describe('browser host binding', () => {
  it('binds 127.0.0.1 by default and is not reachable on other interfaces', async () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const external = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    if (!external) {
      console.log('no non-loopback IPv4 interface on this machine: the unreachability check is skipped');
      return;
    }
    await expect(fetch(`http://${external.address}:${host.port}/`)).rejects.toThrow();
  });

  it('refuses a non-loopback address without a token, naming the fix', async () => {
    const r = await serveRefuses(['--host', '0.0.0.0', '--port', '0', '--renderer-dir', tinyRendererDir()]);
    expect(r.code).toBe(2);
    expect(r.output).toContain('Refusing to listen on 0.0.0.0 without a token');
    expect(r.output).toContain('--token');
  });

  it('accepts a non-loopback address with a long enough token and then requires it', async () => {
    const token = 'a-test-token-0123456789';
    const wide = await startServe(['--host', '0.0.0.0', '--token', token, '--renderer-dir', tinyRendererDir()]);
    try {
      expect(wide.token).toBe(token);
      const base = `ws://127.0.0.1:${wide.port}/api`;
      expect(await upgradeStatus(`${base}?token=wrong-token-wrong-token`)).toBe(403);
      expect(await upgradeStatus(`${base}?token=${token}`)).toBe(101);
    } finally {
      await wide.stop();
    }
  });

  it('rejects a short token and a bad port with clear messages', async () => {
    const short = await serveRefuses(['--host', '0.0.0.0', '--port', '0', '--token', 'short', '--renderer-dir', tinyRendererDir()]);
    expect(short.code).toBe(2);
    expect(short.output).toContain('at least 16 characters');
    const port = await serveRefuses(['--port', 'seventy']);
    expect(port.code).not.toBe(0);
    expect(port.output).toContain('must be an integer 0..65535');
  });
});

describe('browser host start-up failures', () => {
  it('says what is wrong with the data folder in one serve: line (exit 2), with no stack trace', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-data-'));
    const aFile = path.join(dir, 'not-a-folder');
    fs.writeFileSync(aFile, 'x');
    const file = await serveRefuses(['--data-dir', aFile, '--renderer-dir', tinyRendererDir()]);
    expect(file.code).toBe(2);
    expect(file.output).toContain(`serve: the data folder ${aFile} (or a folder above it) is a file, not a folder`);
    expect(file.output).not.toMatch(/\n\s+at /);

    const corrupt = path.join(dir, 'corrupt');
    fs.mkdirSync(corrupt);
    fs.writeFileSync(path.join(corrupt, 'library.sqlite'), Buffer.alloc(8192, 0x5a));
    const db = await serveRefuses(['--data-dir', corrupt, '--renderer-dir', tinyRendererDir()]);
    expect(db.code).toBe(2);
    expect(db.output).toContain(`serve: The library database ${path.join(corrupt, 'library.sqlite')} is damaged (not an SQLite database file). It was not changed: library.sqlite is as found; a copy was saved as`);
    expect(db.output).not.toMatch(/\n\s+at /);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('browser host start-up notices', () => {
  it('a data folder whose database is gone but whose files are there: files moved aside, and the window is told', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-lost-db-'));
    fs.mkdirSync(path.join(dir, 'assets', 'images'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'assets', 'images', 'earlier.png'), 'a photo of the earlier library');
    const own = await startServe(['--renderer-dir', tinyRendererDir(), '--data-dir', dir]);
    try {
      const api = await openApi(`${own.url.replace('http', 'ws')}api?token=${encodeURIComponent(own.token)}`);
      const info = await api.call('app.info', {});
      api.ws.close();
      const problems = (info.result as { startupProblems: string[] }).startupProblems;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/library\.sqlite was missing or empty, but 1 file of an earlier library .* moved, untouched, to .*assets-without-database-/);
      const aside = fs.readdirSync(dir).find((f) => f.startsWith('assets-without-database-'))!;
      expect(fs.readFileSync(path.join(dir, aside, 'images', 'earlier.png'), 'utf8')).toBe('a photo of the earlier library');
    } finally {
      await own.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('WebSocket API', () => {
  it('requires the token and refuses other origins', async () => {
    expect(await upgradeStatus(`${host.url.replace('http', 'ws')}api`)).toBe(403);
    expect(await upgradeStatus(wsUrl('not-the-token'))).toBe(403);
    expect(await upgradeStatus(wsUrl(), { origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(wsUrl(), { origin: `http://127.0.0.1:${host.port}` })).toBe(101);
  });

  it('answers valid requests through the shared handlers', async () => {
    const api = await openApi(wsUrl());
    const info = await api.call('app.info', {});
    expect(info.ok).toBe(true);
    expect(info.result).toMatchObject({ host: 'browser', dataDir: host.dataDir });
    // The worker's state now, for a window that opens after its start-up events went by.
    expect(['starting', 'ready', 'busy']).toContain((info.result as { worker: { state: string } }).worker.state);
    const set = await api.call('settings.set', { executionProvider: 'cpu', autoRerun: true });
    expect(set).toMatchObject({ ok: true, result: { executionProvider: 'cpu', autoRerun: true } });
    // Persisted in the data dir.
    expect(JSON.parse(fs.readFileSync(path.join(host.dataDir, 'settings.json'), 'utf8'))).toMatchObject({ executionProvider: 'cpu', autoRerun: true });
    const packs = await api.call('packs.list', {});
    expect(packs.ok).toBe(true);
    // The pack's field of view comes from its manifest (test-tiny: 40°), for the window's posed view.
    const tinyManifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'models', 'test-tiny', 'manifest.json'), 'utf8')) as { camera: { fovDeg: number } };
    expect((packs.result as { id: string; cameraFovDeg?: number }[]).find((p) => p.id === 'test-tiny')).toMatchObject({ cameraFovDeg: tinyManifest.camera.fovDeg });
    api.ws.close();
  });

  it('gets an error reply for every kind of malformed message and keeps serving', async () => {
    const api = await openApi(wsUrl());
    api.ws.send('{ this is not json');
    expect(await api.next()).toMatchObject({ id: null, ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining('not valid JSON') } });

    api.ws.send(JSON.stringify({ method: 'app.info' }));
    expect(await api.next()).toMatchObject({ id: null, ok: false, error: { code: 'BAD_REQUEST', issues: [expect.objectContaining({ path: 'id' })] } });

    api.ws.send(JSON.stringify([1, 2, 3]));
    expect(await api.next()).toMatchObject({ id: null, ok: false, error: { code: 'BAD_REQUEST' } });

    api.ws.send(Buffer.from([0, 1, 2]), { binary: true });
    expect(await api.next()).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining('Binary') } });

    expect(await api.call('no.such.method', {})).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining('Unknown API method') } });

    const bad = await api.call('settings.set', { executionProvider: 'gpu-please', autoRerun: 'yes' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const paths = (bad.error as { issues: { path: string }[] }).issues.map((i) => i.path).sort();
    expect(paths).toEqual(['autoRerun', 'executionProvider']);

    const badJob = await api.call('jobs.submit', { kind: 'object', imageId: '', maskIds: [], packId: 'x', params: { ssCacheStride: 99 } });
    expect(badJob).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect((badJob.error as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(expect.arrayContaining(['imageId', 'maskIds', 'params.ssCacheStride']));

    // The connection and the host survived all of it.
    expect(await api.call('settings.get', {})).toMatchObject({ ok: true });
    expect(host.child.exitCode).toBeNull();
    api.ws.close();
  });
});

describe('asset files', () => {
  it('serves data-dir files only with the token and never outside the data dir', async () => {
    fs.mkdirSync(path.join(host.dataDir, 'assets', 'runs'), { recursive: true });
    fs.writeFileSync(path.join(host.dataDir, 'assets', 'runs', 'mesh.glb'), Buffer.from('glTF-bytes'));
    const base = `${host.url}asset/assets/runs/mesh.glb`;
    const ok = await fetch(`${base}?token=${encodeURIComponent(host.token)}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('model/gltf-binary');
    expect(await ok.text()).toBe('glTF-bytes');
    expect((await fetch(base)).status).toBe(403);
    const secret = path.join(path.dirname(host.dataDir), `outside-${path.basename(host.dataDir)}.txt`);
    fs.writeFileSync(secret, 'secret');
    for (const evil of [`..%2F${path.basename(secret)}`, `%2Fetc%2Fpasswd`, `assets/runs/..%2F..%2F..%2F${path.basename(secret)}`]) {
      expect((await fetch(`${host.url}asset/${evil}?token=${encodeURIComponent(host.token)}`)).status).toBe(404);
    }
  });

  it('serves only the asset store and the exports: the database, settings and job folders are not files of the window', async () => {
    fs.mkdirSync(path.join(host.dataDir, 'jobs', 'j1'), { recursive: true });
    fs.writeFileSync(path.join(host.dataDir, 'jobs', 'j1', 'mesh.glb'), 'job output');
    fs.mkdirSync(path.join(host.dataDir, 'exports', 'run1'), { recursive: true });
    fs.writeFileSync(path.join(host.dataDir, 'exports', 'run1', 'mug.glb'), 'exported');
    const q = `?token=${encodeURIComponent(host.token)}`;
    expect(await (await fetch(`${host.url}asset/exports/run1/mug.glb${q}`)).text()).toBe('exported');
    for (const rel of ['library.sqlite', 'settings.json', 'jobs/j1/mesh.glb', 'assets/..%2Fjobs/j1/mesh.glb', 'assets%2F..%2Fsettings.json']) {
      expect((await fetch(`${host.url}asset/${rel}${q}`)).status, rel).toBe(404);
    }
  });

  it('answers 404 for asset files that vanish while being requested, and keeps serving', async () => {
    // The trash can be emptied while the window loads a thumbnail: between resolving a path and opening
    // it, the file may go. Many requests against a file deleted and re-created in a loop hit that gap.
    const dir = path.join(host.dataDir, 'assets', 'churn');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'thumb.png');
    const url = `${host.url}asset/assets/churn/thumb.png?token=${encodeURIComponent(host.token)}`;
    let stop = false;
    const churn = (async () => {
      while (!stop) {
        fs.writeFileSync(file, 'png');
        await new Promise((r) => setImmediate(r));
        fs.rmSync(file, { force: true });
        await new Promise((r) => setImmediate(r));
      }
    })();
    const statuses = new Set<number>();
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 60; i++) statuses.add((await fetch(url)).status);
    }));
    stop = true;
    await churn;
    expect([...statuses].every((s) => s === 200 || s === 404)).toBe(true);
    fs.writeFileSync(file, 'png');
    expect(await (await fetch(url)).text()).toBe('png');
  });
});

describe('openRegularFile', () => {
  it('opens a file and gives its size; null for a missing path or a folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'open-regular-'));
    fs.writeFileSync(path.join(dir, 'a.bin'), 'abc');
    const opened = openRegularFile(path.join(dir, 'a.bin'));
    expect(opened?.size).toBe(3);
    if (opened) fs.closeSync(opened.fd);
    expect(openRegularFile(path.join(dir, 'gone.bin'))).toBeNull();
    expect(openRegularFile(dir)).toBeNull();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the window with a strict Content-Security-Policy', async () => {
    const r = await fetch(host.url);
    expect(r.status).toBe(200);
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|https?:/);
    expect((await fetch(`${host.url}..%2Fpackage.json`)).status).toBe(404);
  });
});
