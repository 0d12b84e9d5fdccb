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
        if (!wasOpen) reject(new ApiCallError('connect', { code: 'UNAVAILABLE', message: `Cannot reach the app host at ${this.o.origin} (is \`npm run serve\` running, and is the token in the URL right?).` }));
        // Keep event listeners fed: reconnect in the background while anyone listens.
        if (!this.closed && [...this.listeners.values()].some((s) => s.size > 0)) {
          setTimeout(() => void this.connect().catch(() => {}), this.retryMs);
          this.retryMs = Math.min(this.retryMs * 2, 5000);
        }
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
