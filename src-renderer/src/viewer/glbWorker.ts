/**
 * The mesh worker: parses result GLBs off the window's thread (glbParse.ts) and posts the arrays back
 * with their buffers transferred (no copy either way: the window transfers the GLB's bytes in).
 * Started by glbLoader.ts as a module worker (Vite's `new Worker(new URL(…), { type: 'module' })`), the
 * same bundle in the Electron window (studio://app) and the browser host. It says `ready` once loaded, so
 * the window only hands it bytes it can parse.
 */
import { parseGlbArrays, transferablesOf } from './glbParse';
import type { GlbWorkerReply, GlbWorkerRequest } from './glbProtocol';

/** The part of DedicatedWorkerGlobalScope used here (the project's lib is DOM, not WebWorker). */
interface WorkerScope {
  onmessage: ((e: MessageEvent<GlbWorkerRequest>) => void) | null;
  postMessage(message: GlbWorkerReply, transfer?: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  const { id, glb } = e.data;
  parseGlbArrays(glb).then(
    (mesh) => scope.postMessage({ kind: 'parsed', id, mesh }, transferablesOf(mesh)),
    (err: unknown) => scope.postMessage({ kind: 'failed', id, error: err instanceof Error ? err.message : String(err) }),
  );
};

scope.postMessage({ kind: 'ready' });
