/**
 * Loads a result GLB (bytes from the library through the typed API: `artefacts.read`) into a three
 * BufferGeometry with vertex colours and normals. Scene GLBs are flattened with their node transforms.
 */
import { useEffect, useState } from 'react';
import { BufferGeometry, Mesh } from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';

export interface LoadedMesh {
  geometry: BufferGeometry;
  vertices: number;
  triangles: number;
  /** Every vertex has the same colour (or none): the pack gave no colour, so "vertex colour" shows one tone. */
  uniformColour: boolean;
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

export async function loadGlb(buf: ArrayBuffer): Promise<LoadedMesh> {
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
  const vertices = geometry.getAttribute('position').count;
  const triangles = geometry.index ? geometry.index.count / 3 : vertices / 3;
  return { geometry, vertices, triangles, uniformColour: isUniformColour(geometry) };
}

/** Concatenate indexed geometries that share attribute layouts (position, normal, color). */
function mergeSimple(list: BufferGeometry[]): BufferGeometry {
  const names = ['position', 'normal', 'color'].filter((n) => list.every((g) => g.getAttribute(n)));
  const out = new BufferGeometry();
  let vOff = 0;
  const idx: number[] = [];
  for (const g of list) {
    const n = g.getAttribute('position').count;
    const gi = g.index ? Array.from(g.index.array) : Array.from({ length: n }, (_, i) => i);
    for (const i of gi) idx.push(i + vOff);
    vOff += n;
  }
  for (const name of names) {
    const size = list[0].getAttribute(name).itemSize;
    const arr = new Float32Array(vOff * size);
    let o = 0;
    for (const g of list) {
      const a = g.getAttribute(name);
      for (let i = 0; i < a.count; i++) for (let c = 0; c < size; c++) arr[o++] = a.getComponent(i, c);
    }
    out.setAttribute(name, new (list[0].getAttribute(name).constructor as typeof import('three').BufferAttribute)(arr, size));
  }
  out.setIndex(idx);
  return out;
}

/**
 * The mesh for a key (an artefact id); `fetchBytes` is only called when the key changes, so re-renders
 * do not refetch. While a new key loads, the last mesh stays on screen (a live re-run does not blank the
 * viewer); `loadedKey` says which key the returned mesh belongs to, so the caller pairs it with that
 * item's layout and label, not the new one's. No key: no mesh, at once.
 *
 * The hook owns its meshes: a mesh it replaces (or holds at unmount) has its geometry disposed, which
 * frees the GPU buffers every renderer made for it (R3F never disposes a geometry passed as a prop). The
 * dispose runs in an effect cleanup, after the commit that put the new mesh on screen.
 */
export function useGlb(key: string | null, fetchBytes: (key: string) => Promise<ArrayBuffer>): { mesh: LoadedMesh | null; loadedKey: string | null; error: string | null; loading: boolean } {
  const [state, setState] = useState<{ key: string | null; mesh: LoadedMesh | null; error: string | null }>({ key: null, mesh: null, error: null });
  useEffect(() => {
    // No key: let go of the last mesh (nothing shows it any more).
    if (!key) { setState((s) => (s.key === null && !s.mesh && !s.error ? s : { key: null, mesh: null, error: null })); return; }
    let live = true;
    fetchBytes(key).then(loadGlb).then(
      (mesh) => { if (live) setState({ key, mesh, error: null }); else mesh.geometry.dispose(); },
      (e: unknown) => { if (live) setState({ key, mesh: null, error: `Could not show the mesh: ${e instanceof Error ? e.message : String(e)}` }); },
    );
    return () => { live = false; };
    // fetchBytes is stable per API; the key alone decides when to load.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  useEffect(() => {
    const g = state.mesh?.geometry;
    return () => g?.dispose();
  }, [state.mesh]);
  if (!key) return { mesh: null, loadedKey: null, error: null, loading: false };
  if (state.key !== key) return { mesh: state.mesh, loadedKey: state.mesh ? state.key : null, error: null, loading: true };
  return { mesh: state.mesh, loadedKey: state.mesh ? key : null, error: state.error, loading: false };
}

export interface KeyedMesh { key: string; mesh: LoadedMesh }

/**
 * Several meshes at once (the other objects of a scene in the posed view), each with its key, so the
 * caller pairs each with its own item (ones that fail to load are skipped, which must not shift the
 * others). Until the new keys have loaded the previous list stays; its keys tell it apart. Meshes of a
 * list that is replaced (or held at unmount) have their geometries disposed, as in useGlb.
 */
export function useGlbList(keys: string[], fetchBytes: (key: string) => Promise<ArrayBuffer>): KeyedMesh[] {
  const [list, setList] = useState<KeyedMesh[]>([]);
  const joined = keys.join('|');
  useEffect(() => {
    let live = true;
    if (!joined) { setList((l) => (l.length ? [] : l)); return; }
    const wanted = joined.split('|');
    Promise.all(wanted.map((k) => fetchBytes(k).then(loadGlb).then((mesh) => ({ key: k, mesh }), () => null))).then((loaded) => {
      const ok = loaded.filter((m): m is KeyedMesh => m !== null);
      if (live) setList(ok);
      else for (const m of ok) m.mesh.geometry.dispose();
    });
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [joined]);
  useEffect(() => () => { for (const m of list) m.mesh.geometry.dispose(); }, [list]);
  return list;
}
