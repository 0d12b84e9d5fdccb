/**
 * What studio://app and studio-asset://data answer: files of the built window and of the data dir's
 * asset store and exports, and nothing else — no traversal (plain, percent-encoded, backslash), no
 * Windows drive letters or NTFS streams, no symlink escape, no database, no other methods. Real files
 * in a temp folder; no Electron.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { answerAppRequest, answerAssetRequest, cleanRequestPath } from '../../src-main/app/protocol-paths';
import { tempDir } from '../foundation/helpers';

const SCHEME = 'studio-asset';
let rendererDir: string;
let dataDir: string;

beforeAll(() => {
  rendererDir = tempDir('app-renderer');
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
  fs.mkdirSync(path.join(rendererDir, 'assets'));
  fs.writeFileSync(path.join(rendererDir, 'assets', 'index-1.js'), '');
  dataDir = tempDir('app-data');
  fs.writeFileSync(path.join(dataDir, 'library.sqlite'), 'db');
  fs.writeFileSync(path.join(dataDir, 'settings.json'), '{}');
  fs.mkdirSync(path.join(dataDir, 'assets', 'ab'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'assets', 'ab', 'mesh.glb'), 'glTF');
  fs.writeFileSync(path.join(dataDir, 'assets', 'ab', '100%25 done.png'), 'png');
  fs.writeFileSync(path.join(dataDir, 'assets', 'ab', 'page.html'), '<script>1</script>');
  fs.mkdirSync(path.join(dataDir, 'exports', 'run-1'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'exports', 'run-1', 'chair.glb'), 'glTF');
  fs.symlinkSync(path.join(dataDir, 'library.sqlite'), path.join(dataDir, 'assets', 'ab', 'link.glb'));
  fs.mkdirSync(path.join(dataDir, 'jobs'));
  fs.writeFileSync(path.join(dataDir, 'jobs', 'j.json'), '{}');
});

const asset = (url: string, method = 'GET') => answerAssetRequest(url, method, dataDir, SCHEME);
const page = (url: string, method = 'GET') => answerAppRequest(url, method, rendererDir);

describe('studio://app', () => {
  it('serves the window with its CSP, index.html for the bare origin', () => {
    const a = page('studio://app/');
    expect(a.status).toBe(200);
    if (a.status !== 200) return;
    expect(a.file).toBe(fs.realpathSync(path.join(rendererDir, 'index.html')));
    expect(a.headers['content-type']).toMatch(/^text\/html/);
    expect(a.headers['content-security-policy']).toContain("script-src 'self'");
    const js = page('studio://app/assets/index-1.js');
    expect(js).toMatchObject({ status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8' } });
  });

  it.each([
    ['another host', 'studio://evil/index.html'],
    ['a folder', 'studio://app/assets/'],
    ['a missing file', 'studio://app/nope.js'],
    ['encoded traversal', 'studio://app/assets/..%2F..%2Fetc%2Fpasswd'],
    ['backslash traversal', 'studio://app/assets/..%5C..%5Cwin.ini'],
    ['a Windows drive path', 'studio://app/C:%5CWindows%5Cwin.ini'],
    ['a drive-relative path', 'studio://app/C:win.ini'],
    ['an absolute path in one segment', 'studio://app/%2Fetc%2Fpasswd'],
  ])('is a 404 for %s', (_what, url) => {
    expect(page(url).status).toBe(404);
  });

  it('answers only GET and HEAD', () => {
    expect(page('studio://app/index.html', 'HEAD').status).toBe(200);
    expect(page('studio://app/index.html', 'POST').status).toBe(405);
  });
});

describe('studio-asset://data', () => {
  it('serves asset store and export files, sandboxed and uncached', () => {
    const a = asset('studio-asset://data/assets/ab/mesh.glb');
    expect(a).toMatchObject({ status: 200, headers: { 'content-type': 'model/gltf-binary', 'cache-control': 'no-store' } });
    if (a.status === 200) expect(a.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(asset('studio-asset://data/exports/run-1/chair.glb').status).toBe(200);
  });

  it('finds a file whose name holds % (the path is decoded once, not twice)', () => {
    const a = asset(`studio-asset://data/assets/ab/${encodeURIComponent('100%25 done.png')}`);
    expect(a.status).toBe(200);
    if (a.status === 200) expect(path.basename(a.file)).toBe('100%25 done.png');
    // …and a double-encoded `..` stays a name, never a way up.
    expect(asset('studio-asset://data/assets/ab/%252e%252e/%252e%252e/library.sqlite').status).toBe(404);
  });

  it('an .html file of the data dir cannot run script when opened', () => {
    const a = asset('studio-asset://data/assets/ab/page.html');
    expect(a.status).toBe(200);
    if (a.status === 200) expect(a.headers['content-security-policy']).toMatch(/default-src 'none'; sandbox/);
  });

  it.each([
    ['the database', 'studio-asset://data/library.sqlite'],
    ['the settings', 'studio-asset://data/settings.json'],
    ['job folders', 'studio-asset://data/jobs/j.json'],
    ['dot-dot out of assets', 'studio-asset://data/assets/..%2Flibrary.sqlite'],
    ['percent-encoded dot-dot', 'studio-asset://data/assets/%2e%2e%2flibrary.sqlite'],
    ['backslash dot-dot', 'studio-asset://data/assets/..%5Clibrary.sqlite'],
    ['dot-dot with a trailing space (Windows drops it)', 'studio-asset://data/assets/..%20/library.sqlite'],
    ['dot-dot with a trailing dot', 'studio-asset://data/assets/.../library.sqlite'],
    ['an NTFS stream', 'studio-asset://data/assets/ab/mesh.glb:secret'],
    ['a Windows drive letter', 'studio-asset://data/assets/C:%2FWindows%2Fwin.ini'],
    ['a NUL byte', 'studio-asset://data/assets/ab/mesh.glb%00.png'],
    ['a symlink out of the store', 'studio-asset://data/assets/ab/link.glb'],
    ['the assets folder itself', 'studio-asset://data/assets/'],
    ['a bare origin', 'studio-asset://data/'],
    ['another host', 'studio-asset://evil/assets/ab/mesh.glb'],
    ['a port', 'studio-asset://data:99/assets/ab/mesh.glb'],
    ['the app scheme', 'studio://data/assets/ab/mesh.glb'],
    ['a broken escape', 'studio-asset://data/assets/ab/%E0%A4%A'],
  ])('is a 404 for %s', (_what, url) => {
    expect(asset(url).status).toBe(404);
  });

  it('answers only GET and HEAD, and 400 for what is not a URL', () => {
    expect(asset('studio-asset://data/assets/ab/mesh.glb', 'PUT').status).toBe(405);
    expect(asset('::', 'GET').status).toBe(400);
  });
});

describe('cleanRequestPath', () => {
  it('decodes a plain path and keeps the empty one', () => {
    expect(cleanRequestPath('/assets/ab/a%20b.glb')).toBe('assets/ab/a b.glb');
    expect(cleanRequestPath('/')).toBe('');
  });

  it.each(['/a//b', '/a/./b', '/a/%2E%2E/b', '/a%5Cb', '/c%3A/x', '/a/b%0A', '/a/b.', '/a/b%20', '/%'])('refuses %s', (p) => {
    expect(cleanRequestPath(p)).toBeNull();
  });
});
