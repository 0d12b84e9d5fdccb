/**
 * The window's WebSocket transport (src-renderer/src/transport/ws-client.ts) against a real host
 * process: typed calls resolve, error replies become ApiCallError with code and field issues, pushed
 * events reach listeners, a wrong token is a clear UNAVAILABLE error, and asset URLs carry the token.
 */
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiCallError, WsStudioClient } from '../../src-renderer/src/transport/index';
import { discPhoto } from './fixtures';
import { startServe, tinyRendererDir, type ServeProcess } from './helpers';

let host: ServeProcess;
let client: WsStudioClient;

beforeAll(async () => {
  host = await startServe(['--renderer-dir', tinyRendererDir()]);
  client = new WsStudioClient({ origin: host.url.replace(/\/$/, ''), token: host.token, WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket });
});
afterAll(async () => {
  client?.close();
  await host?.stop();
});

describe('WsStudioClient', () => {
  it('resolves typed calls through the host', async () => {
    const info = await client.invoke('app.info', {});
    expect(info.host).toBe('browser');
    const settings = await client.invoke('settings.set', { autoRerun: true });
    expect(settings.autoRerun).toBe(true);
    const packs = await client.invoke('packs.list', {});
    expect(packs.find((p) => p.id === 'test-tiny')).toMatchObject({ valid: true, kind: 'random' });
  });

  it('turns error replies into ApiCallError with the code and field issues', async () => {
    const err = await client.invoke('settings.set', { executionProvider: 'quantum' as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect(err).toMatchObject({ code: 'BAD_REQUEST', method: 'settings.set', issues: [expect.objectContaining({ path: 'executionProvider' })] });
    const notFound = await client.invoke('runs.get', { runId: 'nope' }).catch((e: unknown) => e);
    expect(notFound).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('delivers pushed job events to listeners', async () => {
    const files = await discPhoto(64);
    const b64 = (p: string) => fs.readFileSync(p).toString('base64');
    const { image } = await client.invoke('images.import', { name: 'disc.png', data: b64(files.imagePath) });
    const mask = await client.invoke('masks.save', { imageId: image.id, name: 'disc', png: b64(files.maskPath) });
    const stages = new Set<string>();
    const offProgress = client.on('job.progress', (e) => stages.add(e.stage));
    const finished = new Promise<{ status: string; jobId: string }>((resolve) => {
      const off = client.on('job.finished', (e) => { off(); resolve(e.job); });
    });
    const { jobId } = await client.invoke('jobs.submit', { kind: 'object', imageId: image.id, maskIds: [mask.id], packId: 'test-tiny', method: 'off' });
    await expect(finished).resolves.toMatchObject({ jobId, status: 'succeeded' });
    offProgress();
    expect(stages.has('ssSampling')).toBe(true);
  });

  it('reports a wrong token as UNAVAILABLE naming the fix', async () => {
    const bad = new WsStudioClient({ origin: host.url.replace(/\/$/, ''), token: 'wrong', WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket });
    await expect(bad.invoke('app.info', {})).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('token') });
    bad.close();
  });

  it('says when the host is gone (reconnecting) and when a restarted host refuses the old token (open the new URL)', async () => {
    const own = await startServe(['--renderer-dir', tinyRendererDir()]);
    const origin = own.url.replace(/\/$/, '');
    const c = new WsStudioClient({ origin, token: own.token, WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket });
    const states: string[] = [];
    c.onConnection((st) => states.push(st));
    const offEvents = c.on('job.finished', () => {}); // a window listens for events: it keeps reconnecting
    await c.invoke('app.info', {});
    const waitFor = async (state: string) => {
      for (let i = 0; i < 200 && states.at(-1) !== state; i++) await new Promise((r) => setTimeout(r, 50));
      expect(states.at(-1)).toBe(state);
    };
    await own.stop();
    await waitFor('lost');
    await expect(c.invoke('app.info', {})).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/Cannot reach the app host .*still running\? This window reconnects by itself/) });
    // The host starts again on the same port with a new token: reconnecting cannot work; the window must say so.
    const again = await startServe(['--renderer-dir', tinyRendererDir(), '--port', String(own.port)]);
    try {
      await waitFor('stale-token');
      await expect(c.invoke('app.info', {})).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/was restarted and no longer accepts this window's session token: open the URL it printed/) });
      // With the new token all is well again.
      const fresh = new WsStudioClient({ origin, token: again.token, WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket });
      await expect(fresh.invoke('app.info', {})).resolves.toMatchObject({ host: 'browser' });
      fresh.close();
    } finally {
      offEvents();
      c.close();
      await again.stop();
    }
  });

  it('builds asset URLs with the token that the host accepts', async () => {
    fs.mkdirSync(path.join(host.dataDir, 'assets', 'thumbs'), { recursive: true });
    fs.writeFileSync(path.join(host.dataDir, 'assets', 'thumbs', 'a b.png'), 'png bytes');
    const url = client.assetUrl('assets/thumbs/a b.png');
    expect(url).toContain(`token=${encodeURIComponent(host.token)}`);
    const r = await fetch(url);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('png bytes');
    // Files of the data dir outside the asset store are not the window's to load.
    expect((await fetch(client.assetUrl('settings.json'))).status).toBe(404);
  });
});
