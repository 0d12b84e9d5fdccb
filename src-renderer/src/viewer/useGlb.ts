/**
 * The meshes the viewer shows, by artefact key: bytes from the library through the typed API
 * (`artefacts.read`), parsed in the mesh worker (glbLoader.ts: GLTFLoader off the window's thread) into a
 * BufferGeometry with vertex colours and normals. Scene GLBs are flattened with their node transforms.
 */
import { useEffect, useState } from 'react';
import { parseGlb } from './glbLoader';
import type { LoadedMesh } from './glbParse';

export type { LoadedMesh } from './glbParse';

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
    fetchBytes(key).then(parseGlb).then(
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
    Promise.all(wanted.map((k) => fetchBytes(k).then(parseGlb).then((mesh) => ({ key: k, mesh }), () => null))).then((loaded) => {
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
