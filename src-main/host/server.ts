/**
 * The browser host's HTTP + WebSocket server: the built renderer at `/`, the typed API over a WebSocket
 * at `/api`, files of the data dir's asset store and exports at `/asset/assets/…` and `/asset/exports/…`. Every API and asset request needs the
 * session token; WebSocket upgrades from another origin are refused (a web page the user visits must
 * not be able to drive a local host).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { ASSET_HTTP_PREFIX, WS_PATH, WsRequest, type WsEvent, type WsReply } from '../../src-shared/api/index';
import type { Services } from './services';
import { contentSecurityPolicy, isLoopback, tokenMatches } from './security';
import { contentType, openRegularFile, resolveAsset, resolveInside } from './static-files';

export interface HostOptions {
  host: string;
  port: number;
  /** Required when `host` is not a loopback address; generated otherwise. */
  token?: string;
  rendererDir: string;
  services: Services;
}

export interface RunningHost {
  url: string;
  /** URL with the token, the one to open. */
  openUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Largest WebSocket message accepted (image imports arrive as base64). */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export class HostConfigError extends Error {
  override name = 'HostConfigError';
}

export async function startHost(o: HostOptions): Promise<RunningHost> {
  if (!isLoopback(o.host) && !o.token) {
    throw new HostConfigError(`Refusing to listen on ${o.host} without a token: anyone on the network could use the app and read its files. Pass --token <secret> (at least 16 characters), or bind to 127.0.0.1.`);
  }
  if (o.token !== undefined && o.token.length < 16) throw new HostConfigError('The token must be at least 16 characters long.');
  if (!fs.existsSync(path.join(o.rendererDir, 'index.html'))) {
    throw new HostConfigError(`The built window is missing (${path.join(o.rendererDir, 'index.html')}). Run \`npm run build\` first.`);
  }
  const token = o.token ?? randomBytes(18).toString('base64url');
  const csp = contentSecurityPolicy();
  const { services } = o;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host.invalid');
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'Only GET is served here; the API is on the WebSocket.');
    let file: string | null;
    let headers: Record<string, string> = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
    if (url.pathname.startsWith(ASSET_HTTP_PREFIX)) {
      if (!tokenMatches(token, url.searchParams.get('token'))) return send(403, 'Missing or wrong token.');
      file = resolveAsset(services.dataDir, url.pathname.slice(ASSET_HTTP_PREFIX.length));
      headers['cache-control'] = 'no-store';
    } else {
      const rel = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
      file = resolveInside(o.rendererDir, rel);
      headers = { ...headers, 'content-security-policy': csp, 'x-frame-options': 'DENY', 'cache-control': 'no-cache' };
    }
    if (!file) return send(404, 'Not found.');
    // Open once and serve what was opened: the file may be removed (trash emptied, run replaced) since
    // it was resolved, and a vanished file is a 404, not a crash that takes the host's jobs with it.
    const opened = openRegularFile(file);
    if (!opened) return send(404, 'Not found.');
    const { fd, size } = opened;
    res.writeHead(200, { ...headers, 'content-type': contentType(file), 'content-length': String(size) });
    if (req.method === 'HEAD') {
      fs.closeSync(fd);
      return res.end();
    }
    fs.createReadStream(file, { fd, autoClose: true }).on('error', () => res.destroy()).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://host.invalid');
    const origin = req.headers.origin;
    const reject = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== WS_PATH) return reject(404, 'Not Found');
    if (!tokenMatches(token, url.searchParams.get('token'))) return reject(403, 'Forbidden');
    // Browsers always send Origin; it must be this host. Non-browser clients (tests, scripts) send none.
    if (origin !== undefined && origin !== `http://${req.headers.host}`) return reject(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function onConnection(ws: WebSocket): void {
    const unsubscribe = services.events.subscribe((event, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload } satisfies WsEvent));
    });
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
    ws.on('message', async (data, isBinary) => {
      const reply = (r: WsReply) => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(r)); };
      if (isBinary) return reply({ id: null, ok: false, error: { code: 'BAD_REQUEST', message: 'Binary messages are not accepted; send JSON text.' } });
      let json: unknown;
      try {
        json = JSON.parse(data.toString());
      } catch (err) {
        return reply({ id: null, ok: false, error: { code: 'BAD_REQUEST', message: `The message is not valid JSON: ${(err as Error).message}` } });
      }
      const req = WsRequest.safeParse(json);
      if (!req.success) {
        const id = typeof (json as { id?: unknown })?.id === 'string' || typeof (json as { id?: unknown })?.id === 'number' ? (json as { id: string | number }).id : null;
        return reply({
          id, ok: false,
          error: { code: 'BAD_REQUEST', message: 'A request must be {"id": string|number, "method": string, "payload": object}.', issues: req.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })) },
        });
      }
      const r = await services.dispatcher.dispatchFromWindow(req.data.method, req.data.payload);
      reply(r.ok ? { id: req.data.id, ok: true, result: r.result } : { id: req.data.id, ok: false, error: r.error });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `http://${shownHost}:${port}/`;
  return {
    url, port, token, openUrl: `${url}?token=${encodeURIComponent(token)}`,
    close: () => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
