/** Messages between the window (glbLoader.ts) and the mesh worker (glbWorker.ts). */
import type { MeshArrays } from './glbParse';

/** A GLB to parse; `glb` is transferred (the window's copy is detached). */
export interface GlbWorkerRequest { id: number; glb: ArrayBuffer }

export type GlbWorkerReply =
  | { kind: 'ready' }
  | { kind: 'parsed'; id: number; mesh: MeshArrays }
  | { kind: 'failed'; id: number; error: string };
