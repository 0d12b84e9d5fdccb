/**
 * A result GLB as plain typed arrays, and those arrays as a three BufferGeometry.
 *
 * `parseGlbArrays` is the heavy part: three's GLTFLoader, node transforms baked (scene GLBs place their
 * objects by node), meshes merged, normals computed when the file has none, the bounds and the
 * uniform-colour check. It runs in the mesh worker (glbWorker.ts, started by glbLoader.ts), so a large
 * result does not freeze the window while it loads; what it returns is transferable (every array owns
 * its buffer). `meshFromArrays` on the window's thread only wraps those arrays in attributes: no loop
 * over the vertices there.
 *
 * No DOM here: this module is the worker's whole program.
 */
import { Box3, BufferAttribute, BufferGeometry, Sphere, Vector3, type InterleavedBufferAttribute, type Mesh } from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';

export interface LoadedMesh {
  geometry: BufferGeometry;
  vertices: number;
  triangles: number;
  /** Every vertex has the same colour (or none): the pack gave no colour, so "vertex colour" shows one tone. */
  uniformColour: boolean;
}

export type AttributeArray = Float32Array | Uint32Array | Uint16Array | Uint8Array | Int16Array | Int8Array;
type IndexArray = Uint32Array | Uint16Array | Uint8Array;

export interface AttributeArrays { array: AttributeArray; itemSize: number; normalized: boolean }

/** A parsed mesh as structured-clonable data (what the worker posts back). */
export interface MeshArrays {
  /** The geometry's attributes by three's names (position, normal, color, …). */
  attributes: Record<string, AttributeArrays>;
  index: IndexArray | null;
  vertices: number;
  triangles: number;
  uniformColour: boolean;
  /** Axis-aligned box and bounding sphere, so three never walks the positions on the window's thread. */
  bounds: { min: [number, number, number]; max: [number, number, number]; center: [number, number, number]; radius: number };
  /**
   * Where the parse ran: the global scope's constructor (`DedicatedWorkerGlobalScope` in the mesh worker,
   * `Window` on the window's thread). Read by the viewer's test hook `window.__studioMeshParses()`.
   */
  thread: string;
  /** Milliseconds the parse took where it ran. */
  parseMs: number;
}

function isUniformColour(g: BufferGeometry): boolean {
  const c = g.getAttribute('color');
  if (!c || c.count === 0) return true;
  const r0 = c.getX(0), g0 = c.getY(0), b0 = c.getZ(0);
  for (let i = 1; i < c.count; i++) {
    if (Math.abs(c.getX(i) - r0) > 1 / 255 || Math.abs(c.getY(i) - g0) > 1 / 255 || Math.abs(c.getZ(i) - b0) > 1 / 255) return false;
  }
  return true;
}

/** Concatenate geometries that share attribute layouts (position, normal, color), with one index. */
function mergeSimple(list: BufferGeometry[]): BufferGeometry {
  const names = ['position', 'normal', 'color'].filter((n) => list.every((g) => g.getAttribute(n)));
  const counts = list.map((g) => g.getAttribute('position').count);
  const vertices = counts.reduce((a, b) => a + b, 0);
  const indexLength = list.reduce((n, g, i) => n + (g.index ? g.index.count : counts[i]), 0);
  const idx = new Uint32Array(indexLength);
  let vOff = 0, o = 0;
  list.forEach((g, k) => {
    const n = counts[k];
    if (g.index) for (let i = 0; i < g.index.count; i++) idx[o++] = g.index.getX(i) + vOff;
    else for (let i = 0; i < n; i++) idx[o++] = i + vOff;
    vOff += n;
  });
  const out = new BufferGeometry();
  for (const name of names) {
    const size = list[0].getAttribute(name).itemSize;
    const arr = new Float32Array(vertices * size);
    let p = 0;
    for (const g of list) {
      const a = g.getAttribute(name);
      for (let i = 0; i < a.count; i++) for (let c = 0; c < size; c++) arr[p++] = a.getComponent(i, c);
    }
    out.setAttribute(name, new BufferAttribute(arr, size));
  }
  out.setIndex(new BufferAttribute(idx, 1));
  return out;
}

/** `arr` when it is the only view of its whole buffer (so transferring it moves nothing else), else a copy. */
function owned<T extends AttributeArray>(arr: T): T {
  return arr.byteOffset === 0 && arr.byteLength === arr.buffer.byteLength && arr.buffer instanceof ArrayBuffer ? arr : (arr.slice() as T);
}

function attributeArrays(attr: BufferAttribute | InterleavedBufferAttribute): AttributeArrays {
  if ((attr as InterleavedBufferAttribute).isInterleavedBufferAttribute) {
    // De-interleaved into floats (getComponent gives the normalised values as floats).
    const out = new Float32Array(attr.count * attr.itemSize);
    for (let i = 0, p = 0; i < attr.count; i++) for (let c = 0; c < attr.itemSize; c++) out[p++] = attr.getComponent(i, c);
    return { array: out, itemSize: attr.itemSize, normalized: false };
  }
  const a = attr as BufferAttribute;
  return { array: owned(a.array as AttributeArray), itemSize: a.itemSize, normalized: a.normalized };
}

/** The name of the global scope this code runs in ("DedicatedWorkerGlobalScope", "Window", …). */
function threadName(): string {
  return (globalThis as { constructor?: { name?: string } }).constructor?.name || 'unknown';
}

/** Parse a GLB into transferable arrays (the mesh worker's job; any thread can run it). */
export async function parseGlbArrays(buf: ArrayBuffer): Promise<MeshArrays> {
  const t0 = performance.now();
  const gltf = await new GLTFLoader().parseAsync(buf, '');
  const geoms: BufferGeometry[] = [];
  gltf.scene.updateMatrixWorld(true);
  gltf.scene.traverse((o) => {
    if ((o as Mesh).isMesh) {
      // Bake node transforms (scene GLBs place objects by node) so every mesh lands where the file says.
      const g = (o as Mesh).geometry.clone();
      g.applyMatrix4(o.matrixWorld);
      geoms.push(g);
    }
  });
  if (!geoms.length) throw new Error('The GLB has no mesh in it: the run produced an empty surface. Try another mask or seed.');
  const geometry = geoms.length === 1 ? geoms[0] : mergeSimple(geoms);
  if (!geometry.getAttribute('normal')) geometry.computeVertexNormals();
  geometry.computeBoundingBox();
  geometry.computeBoundingSphere();
  const box = geometry.boundingBox!, sphere = geometry.boundingSphere!;
  const vertices = geometry.getAttribute('position').count;
  const triangles = geometry.index ? geometry.index.count / 3 : vertices / 3;
  const attributes: Record<string, AttributeArrays> = {};
  for (const [name, attr] of Object.entries(geometry.attributes)) attributes[name] = attributeArrays(attr);
  const index = geometry.index ? owned(geometry.index.array as IndexArray) : null;
  return {
    attributes, index, vertices, triangles, uniformColour: isUniformColour(geometry),
    bounds: { min: box.min.toArray(), max: box.max.toArray(), center: sphere.center.toArray(), radius: sphere.radius },
    thread: threadName(), parseMs: performance.now() - t0,
  };
}

/** The buffers of a parsed mesh, each once: the transfer list for postMessage. */
export function transferablesOf(m: MeshArrays): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const a of Object.values(m.attributes)) set.add(a.array.buffer as ArrayBuffer);
  if (m.index) set.add(m.index.buffer as ArrayBuffer);
  return [...set];
}

/** The parsed arrays as a BufferGeometry (no copy, no pass over the vertices). */
export function meshFromArrays(m: MeshArrays): LoadedMesh {
  const geometry = new BufferGeometry();
  for (const [name, a] of Object.entries(m.attributes)) geometry.setAttribute(name, new BufferAttribute(a.array, a.itemSize, a.normalized));
  if (m.index) geometry.setIndex(new BufferAttribute(m.index, 1));
  geometry.boundingBox = new Box3(new Vector3(...m.bounds.min), new Vector3(...m.bounds.max));
  geometry.boundingSphere = new Sphere(new Vector3(...m.bounds.center), m.bounds.radius);
  return { geometry, vertices: m.vertices, triangles: m.triangles, uniformColour: m.uniformColour };
}
