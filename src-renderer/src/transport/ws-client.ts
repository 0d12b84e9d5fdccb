/**
 * StudioApi over the browser host's WebSocket. Requests carry an id and resolve with the matching reply;
 * events are fanned out to listeners. The connection is re-opened with back-off when it drops; calls made
 * meanwhile wait for it, calls in flight when it dropped fail with UNAVAILABLE (the host may have
 * restarted, so their outcome is unknown).
 */
import {
  ASSET_HTTP_PREFIX, WS_PATH, type ApiError, type EventName, type EventPayload, type MethodName, type Req, type Res,
  type StudioApi, type WsEvent, type WsReply,
} from '../../../src-shared/api/index';
import { ApiCallError } from './api-call-error';

export interface WsClientOptions {
  /** http(s) origin of the host, e.g. `http://127.0.0.1:5178`. */
  origin: string;
  token: string;
  /** WebSocket constructor (the browser's by default). */
  WebSocketImpl?: typeof WebSocket;
}

/**
 * What the window should say about the link to the host: `open`; `lost` (the host stopped or the network
 * dropped: reconnecting); `stale-token` (the host answers but refuses this window's token: it was
 * restarted with a new one, so reconnecting can never work and the user must open the new URL).
 */
export type ConnectionState = 'open' | 'lost' | 'stale-token';

interface Pending {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class WsStudioClient implements StudioApi {
  private ws: WebSocket | null = null;
  private opening: Promise<WebSocket> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(p: unknown) => void>>();
  private retryMs = 250;
  private closed = false;
  private state: ConnectionState = 'open';
  private readonly connectionListeners = new Set<(s: ConnectionState) => void>();

  constructor(private readonly o: WsClientOptions) {}

  async invoke<M extends MethodName>(method: M, request: Req<M>): Promise<Res<M>> {
    const ws = await this.connect();
    const id = this.nextId++;
    return new Promise<Res<M>>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method, payload: request }));
    });
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (p: unknown) => void);
    // Events only flow on an open socket; subscribing alone opens it.
    void this.connect().catch(() => {});
    return () => set!.delete(listener as (p: unknown) => void);
  }

  /** Follow the connection's state (browser host only: the Electron window has no connection to lose). */
  onConnection(listener: (s: ConnectionState) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  private setState(s: ConnectionState): void {
    if (s === this.state) return;
    this.state = s;
    for (const l of this.connectionListeners) l(s);
  }

  /**
   * A WebSocket handshake refused for a wrong token and one that found no host look the same to the
   * page; an HTTP request with the token tells them apart (403: the host is there and has another token).
   */
  private async tokenRefused(): Promise<boolean> {
    try {
      const r = await fetch(this.assetUrl('.connection-check'), { method: 'HEAD', cache: 'no-store' });
      return r.status === 403;
    } catch {
      return false; // no host at all
    }
  }

  assetUrl(relativePath: string): string {
    const path = relativePath.split('/').map(encodeURIComponent).join('/');
    return `${this.o.origin}${ASSET_HTTP_PREFIX}${path}?token=${encodeURIComponent(this.o.token)}`;
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }

  private connect(): Promise<WebSocket> {
    if (this.ws && this.ws.readyState === 1) return Promise.resolve(this.ws);
    if (this.opening) return this.opening;
    const Impl = this.o.WebSocketImpl ?? WebSocket;
    const url = `${this.o.origin.replace(/^http/, 'ws')}${WS_PATH}?token=${encodeURIComponent(this.o.token)}`;
    this.opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new Impl(url);
      ws.onopen = () => {
        this.ws = ws;
        this.opening = null;
        this.retryMs = 250;
        this.setState('open');
        resolve(ws);
      };
      ws.onmessage = (m) => this.onMessage(String(m.data));
      // A refused or failed connection fires error, then close; close does the reporting.
      ws.onerror = () => {};
      ws.onclose = () => {
        const wasOpen = this.ws === ws;
        this.ws = null;
        this.opening = null;
        for (const [id, p] of this.pending) {
          p.reject(new ApiCallError(p.method, { code: 'UNAVAILABLE', message: 'The connection to the app host was lost; try again.' }));
          this.pending.delete(id);
        }
        if (this.closed) {
          if (!wasOpen) reject(new ApiCallError('connect', { code: 'UNAVAILABLE', message: 'The window closed its connection to the app host.' }));
          return;
        }
        if (wasOpen) this.setState('lost');
        void (async () => {
          const stale = !wasOpen && (await this.tokenRefused());
          if (stale) this.setState('stale-token');
          else if (!wasOpen) this.setState('lost');
          if (!wasOpen) {
            reject(new ApiCallError('connect', {
              code: 'UNAVAILABLE',
              message: stale
                ? `The app host at ${this.o.origin} was restarted and no longer accepts this window's session token: open the URL it printed when it started (it carries the new token). Your library is kept.`
                : `Cannot reach the app host at ${this.o.origin}: is \`npm run serve\` still running? This window reconnects by itself once it is.`,
            }));
          }
          // Keep event listeners fed: reconnect in the background while anyone listens (never with a
          // token the host has refused: that cannot succeed).
          if (!stale && [...this.listeners.values()].some((l) => l.size > 0)) {
            setTimeout(() => void this.connect().catch(() => {}), this.retryMs);
            this.retryMs = Math.min(this.retryMs * 2, 5000);
          }
        })();
      };
    });
    return this.opening;
  }

  private onMessage(text: string): void {
    let msg: WsReply | WsEvent;
    try { msg = JSON.parse(text); } catch { return; }
    if ('event' in msg) {
      for (const l of this.listeners.get(msg.event) ?? []) {
        try { l(msg.payload); } catch (err) { console.error(`listener of ${msg.event} failed`, err); }
      }
      return;
    }
    if (typeof msg.id !== 'number') {
      if (!msg.ok) console.error('host rejected a message:', msg.error);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new ApiCallError(p.method, msg.error as ApiError));
  }
}
