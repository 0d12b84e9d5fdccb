/**
 * The dispatcher both transports share: registration rules, request validation before any handler runs,
 * reply validation after, and the mapping of thrown errors (API, library, abort, unknown) to ApiError.
 */
import { describe, expect, it } from 'vitest';
import { ApiFailure, Dispatcher, EventHub, hostPathFields, toApiError } from '../../src-main/api/index';
import { methods, type MethodName } from '../../src-shared/api/index';
import { LibraryError } from '../../src-main/library/errors';

describe('Dispatcher', () => {
  it('refuses to register unknown or duplicate methods at start-up', () => {
    expect(() => new Dispatcher().register({ 'no.such': () => ({}) } as never)).toThrow(/unknown API method "no.such"/);
    const d = new Dispatcher().register({ 'settings.get': () => ({ executionProvider: 'auto', autoRerun: false }) });
    expect(() => d.register({ 'settings.get': () => ({ executionProvider: 'auto', autoRerun: false }) })).toThrow(/two handlers/);
  });

  it('finds every request field that names a path on the host, and refuses them from a window only', async () => {
    const all = (Object.keys(methods) as MethodName[]).flatMap((m) => hostPathFields(m).map((f) => `${m}.${f}`));
    expect(all.sort()).toEqual(['export.run.dir', 'images.importFolder.path', 'projects.export.path', 'projects.import.path']);
    const seen: unknown[] = [];
    const d = new Dispatcher().register({ 'export.run': (req) => { seen.push(req); return { files: [] }; } });
    const dir = process.platform === 'win32' ? 'C:\\elsewhere' : '/elsewhere';
    const refused = await d.dispatchFromWindow('export.run', { runId: 'r', formats: ['glb'], dir });
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', issues: [{ path: 'dir', message: 'not accepted from a window' }] } });
    expect(seen).toEqual([]);
    // Without a path the window's request goes through; in-process callers may name one.
    expect(await d.dispatchFromWindow('export.run', { runId: 'r', formats: ['glb'] })).toEqual({ ok: true, result: { files: [] } });
    expect(await d.dispatch('export.run', { runId: 'r', formats: ['glb'], dir })).toEqual({ ok: true, result: { files: [] } });
    expect(seen).toHaveLength(2);
    // Anything else a window sends is checked as before.
    expect(await d.dispatchFromWindow('no.such', {})).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('validates the request before the handler runs and applies schema defaults', async () => {
    const seen: unknown[] = [];
    const d = new Dispatcher().register({ 'jobs.submit': (req) => { seen.push(req); return { jobId: 'j1' }; } });
    const bad = await d.dispatch('jobs.submit', { kind: 'cube' });
    expect(bad.ok).toBe(false);
    expect(seen).toEqual([]);
    const ok = await d.dispatch('jobs.submit', { kind: 'object', imageId: 'i', maskIds: ['m'], packId: 'p' });
    expect(ok).toEqual({ ok: true, result: { jobId: 'j1' } });
    expect(seen[0]).toMatchObject({ method: 'fast-sam3d', params: {}, withBaseline: false });
  });

  it('answers UNAVAILABLE for a known method without a handler, and INTERNAL for an invalid reply', async () => {
    const d = new Dispatcher().register({ 'settings.get': () => ({ executionProvider: 'warp-drive' }) as never });
    expect(await d.dispatch('packs.list', {})).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    const r = await d.dispatch('settings.get', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringContaining('invalid reply') } });
  });

  it('maps thrown errors to ApiError codes with their messages', () => {
    expect(toApiError(new ApiFailure('CONFLICT', 'busy'))).toEqual({ code: 'CONFLICT', message: 'busy' });
    expect(toApiError(new LibraryError('NOT_FOUND', 'No run "x".'))).toEqual({ code: 'NOT_FOUND', message: 'No run "x".' });
    expect(toApiError(new LibraryError('BAD_INPUT', 'Mask is empty.'))).toEqual({ code: 'BAD_REQUEST', message: 'Mask is empty.' });
    expect(toApiError(Object.assign(new Error('stopped'), { name: 'AbortError' }))).toEqual({ code: 'CANCELLED', message: 'stopped' });
    // Raw file-system and SQLite failures a handler did not wrap: what they mean and what to do, not INTERNAL.
    const raw = (code: string, message: string, extra: object = {}) => Object.assign(new Error(message), { code, ...extra });
    expect(toApiError(raw('SQLITE_FULL', 'database or disk is full'))).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/disk .* is full \(database or disk is full\)\. Free some space.*nothing was changed/) });
    expect(toApiError(raw('ENOSPC', 'ENOSPC: no space left on device, write'))).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/is full/) });
    expect(toApiError(raw('EROFS', 'EROFS: read-only file system'))).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/cannot be written .*read-only/) });
    expect(toApiError(raw('SQLITE_READONLY_DBMOVED', 'attempt to write a readonly database'))).toMatchObject({ code: 'UNAVAILABLE' });
    expect(toApiError(raw('ENOENT', 'ENOENT: no such file', { path: '/d/assets/images/x.png' }))).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/missing \(\/d\/assets\/images\/x\.png\).*import the photo again/) });
    expect(toApiError(raw('EWHATEVER', 'odd'))).toEqual({ code: 'INTERNAL', message: 'odd' });
    expect(toApiError(new TypeError('boom'))).toEqual({ code: 'INTERNAL', message: 'boom' });
  });
});

describe('EventHub', () => {
  it('validates events at the source and isolates failing listeners', () => {
    const hub = new EventHub();
    const got: unknown[] = [];
    hub.subscribe(() => { throw new Error('listener bug'); });
    const off = hub.subscribe((e, p) => got.push([e, p]));
    hub.emit('worker.status', { state: 'ready' });
    expect(got).toEqual([['worker.status', { state: 'ready' }]]);
    expect(() => hub.emit('worker.status', { state: 'exploded' } as never)).toThrow();
    off();
    hub.emit('worker.status', { state: 'busy' });
    expect(got).toHaveLength(1);
  });
});
