/**
 * Result GLBs parsed off the window's thread: one mesh worker (glbWorker.ts) for the window's lifetime,
 * started on the first parse. The GLB's bytes are transferred to it and the parsed arrays transferred
 * back; the window only wraps them in a BufferGeometry (glbParse.ts, meshFromArrays).
 *
 * Where workers are missing (a unit test under Node) or the worker script cannot start, the parse runs on
 * the window's thread, with a console warning, so the viewer still shows the mesh. A worker that dies
 * later (out of memory on a huge file) fails the parses it held and is started afresh for the next one.
 *
 * Test hook, not user-visible: `window.__studioMeshParses()` lists the last parses (the thread each ran on,
 * as the parse itself saw it, its vertex and triangle counts, bytes and time), so an end-to-end test can
 * check that results are parsed in the worker (e2e/viewer-compare-and-worker.spec.ts).
 */
import { meshFromArrays, parseGlbArrays, type LoadedMesh, type MeshArrays } from './glbParse';
import type { GlbWorkerReply, GlbWorkerRequest } from './glbProtocol';

interface MeshParseRecord { thread: string; vertices: number; triangles: number; bytes: number; parseMs: number }

const records: MeshParseRecord[] = [];
if (typeof window !== 'undefined') {
  (window as unknown as { __studioMeshParses?: () => MeshParseRecord[] }).__studioMeshParses = () => records.map((r) => ({ ...r }));
}

interface Pending { resolve: (m: MeshArrays) => void; reject: (e: Error) => void }

let started: Promise<Worker | null> | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function failAll(message: string): void {
  for (const p of pending.values()) p.reject(new Error(message));
  pending.clear();
}

/** The mesh worker once it said it is ready, or null when this window cannot run it. */
function startWorker(): Promise<Worker | null> {
  if (typeof Worker === 'undefined') return Promise.resolve(null);
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./glbWorker.ts', import.meta.url), { type: 'module', name: 'glb-parse' });
    } catch (e) {
      console.warn('The mesh worker could not start; meshes are parsed on the window thread.', e);
      resolve(null);
      return;
    }
    worker.onerror = (e) => {
      // The script did not load or threw while loading: parse here from now on.
      e.preventDefault();
      console.warn('The mesh worker could not start; meshes are parsed on the window thread.', e.message);
      worker.terminate();
      resolve(null);
    };
    worker.onmessage = (e: MessageEvent<GlbWorkerReply>) => {
      if (e.data.kind !== 'ready') return;
      worker.onmessage = (m: MessageEvent<GlbWorkerReply>) => {
        const r = m.data;
        if (r.kind === 'ready') return;
        const p = pending.get(r.id);
        if (!p) return;
        pending.delete(r.id);
        if (r.kind === 'parsed') p.resolve(r.mesh);
        else p.reject(new Error(r.error));
      };
      const died = (why: string) => {
        worker.terminate();
        started = null; // the next parse starts a new worker
        failAll(`The mesh worker stopped (${why}).`);
      };
      worker.onerror = (err) => { err.preventDefault(); died(err.message || 'error'); };
      worker.onmessageerror = () => died('a reply could not be read');
      resolve(worker);
    };
  });
}

function parseInWorker(worker: Worker, glb: ArrayBuffer): Promise<MeshArrays> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    const request: GlbWorkerRequest = { id, glb };
    worker.postMessage(request, [glb]);
  });
}

/**
 * A result GLB as a mesh, parsed in the mesh worker. `glb` is transferred there: the caller's buffer is
 * detached afterwards (useGlb fetches fresh bytes per load).
 */
export async function parseGlb(glb: ArrayBuffer): Promise<LoadedMesh> {
  const bytes = glb.byteLength;
  const worker = await (started ??= startWorker());
  const arrays = worker ? await parseInWorker(worker, glb) : await parseGlbArrays(glb);
  records.push({ thread: arrays.thread, vertices: arrays.vertices, triangles: arrays.triangles, bytes, parseMs: arrays.parseMs });
  if (records.length > 20) records.shift();
  return meshFromArrays(arrays);
}
