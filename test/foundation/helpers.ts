/** Helpers of the foundation tests: a real `serve` process from source on a free port with a temp data dir. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

export const ROOT = path.resolve(__dirname, '../..');

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  token: string;
  port: number;
  dataDir: string;
  output: () => string;
  stop(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `fastsam3d-${prefix}-`));
}

/** A minimal built-window folder, so API tests do not depend on `npm run build` (e2e covers the real one). */
export function tinyRendererDir(): string {
  const dir = tempDir('renderer');
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>shell</title><div id="root"></div>');
  return dir;
}

/** Runs `serve` with extra args; resolves once it printed its URL, or rejects with its output when it exits. */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const dataDir = tempDir('data');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src-main/host/serve.ts'), '--port', '0', '--data-dir', dataDir, ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const onData = () => {
      const m = /Open: (http:\/\/\S+?:(\d+)\/)\?token=(\S+)/.exec(out);
      if (!m) return;
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      resolve({
        child, url: m[1], port: Number(m[2]), token: decodeURIComponent(m[3]), dataDir, output: () => out,
        stop: () => new Promise<void>((r) => {
          if (child.exitCode !== null || child.signalCode !== null) return r();
          child.once('exit', () => r());
          child.kill('SIGTERM');
        }),
      });
    };
    const onExit = (code: number | null) => reject(Object.assign(new Error(`serve exited with ${code}: ${out}`), { code, output: out }));
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Runs `serve` expecting it to refuse to start; resolves with exit code and output. */
export function serveRefuses(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src-main/host/serve.ts'), '--data-dir', tempDir('data'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output: out })));
}

/** An open WebSocket to the host's API that collects every message it receives. */
export async function openApi(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; next: (pred?: (m: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>; call: (method: string, payload?: unknown) => Promise<Record<string, unknown>> }> {
  const ws = new WebSocket(url, { headers });
  const inbox: Record<string, unknown>[] = [];
  const waiters: { pred: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as Record<string, unknown>;
    const w = waiters.findIndex((x) => x.pred(m));
    if (w >= 0) waiters.splice(w, 1)[0].resolve(m);
    else inbox.push(m);
  });
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  const next = (pred: (m: Record<string, unknown>) => boolean = () => true) => {
    const i = inbox.findIndex(pred);
    if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]);
    return new Promise<Record<string, unknown>>((resolve) => waiters.push({ pred, resolve }));
  };
  let id = 0;
  const call = (method: string, payload?: unknown) => {
    const myId = ++id;
    ws.send(JSON.stringify({ id: myId, method, payload }));
    return next((m) => m.id === myId);
  };
  return { ws, next, call };
}
