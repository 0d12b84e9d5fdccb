/**
 * The mesh worker's parse (glbParse.ts) on GLBs written by the app's own exporters: counts, the node
 * transforms of a scene baked in, bounds, the uniform-colour check, and arrays that can be transferred
 * (each owns its whole buffer) and wrapped back into a geometry without a copy.
 */
import { describe, expect, it } from 'vitest';
import { Box3, Vector3 } from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { Document, WebIO } from '@gltf-transform/core';
import { glbBytes } from '../../../src-main/export/glb';
import { sceneGlbBytes } from '../../../src-main/export/scene';
import type { Layout, Mesh } from '../../../src-main/pipeline/types';
import { meshFromArrays, parseGlbArrays, transferablesOf } from './glbParse';

/** A UV sphere of (rings + 1) × segments vertices, coloured by height unless `grey`. */
function sphere(rings: number, segments: number, grey = false): Mesh {
  const positions: number[] = [], colors: number[] = [], indices: number[] = [];
  for (let r = 0; r <= rings; r++) {
    const phi = (Math.PI * r) / rings;
    for (let s = 0; s < segments; s++) {
      const th = (2 * Math.PI * s) / segments;
      const p = [0.4 * Math.sin(phi) * Math.cos(th), 0.4 * Math.sin(phi) * Math.sin(th), 0.4 * Math.cos(phi)];
      positions.push(...p);
      colors.push(...(grey ? [0.5, 0.5, 0.5] : [0.5 + p[2], 0.3, 0.5 - p[2]]));
    }
  }
  for (let r = 0; r < rings; r++) for (let s = 0; s < segments; s++) {
    const a = r * segments + s, b = r * segments + ((s + 1) % segments), c = a + segments, d = b + segments;
    indices.push(a, c, b, b, c, d);
  }
  return { positions: new Float32Array(positions), colors: new Float32Array(colors), indices: new Uint32Array(indices) };
}

const identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];
function layout(t: [number, number, number], scale = 1): Layout {
  return { rotation: identity, quaternion: [1, 0, 0, 0], translation: t, scale };
}

const asBuffer = (u: Uint8Array): ArrayBuffer => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;

describe('parseGlbArrays', () => {
  it('reads an object GLB: counts, colours, normals, bounds, and arrays that own their buffers', async () => {
    const mesh = sphere(40, 64);
    const m = await parseGlbArrays(asBuffer(await glbBytes(mesh)));
    expect(m.vertices).toBe(41 * 64);
    expect(m.triangles).toBe(40 * 64 * 2);
    expect(m.uniformColour).toBe(false);
    expect(Object.keys(m.attributes).sort()).toEqual(['color', 'normal', 'position']);
    expect(m.attributes.position.array.length).toBe(41 * 64 * 3);
    expect(m.index!.length).toBe(40 * 64 * 2 * 3);
    // Not a worker here: the record says where the parse ran.
    expect(m.thread).not.toBe('DedicatedWorkerGlobalScope');
    expect(m.bounds.radius).toBeGreaterThan(0.39);
    expect(m.bounds.radius).toBeLessThan(0.41);
    // Every array is the one view of its whole buffer, and no buffer is listed twice.
    const buffers = transferablesOf(m);
    expect(new Set(buffers).size).toBe(buffers.length);
    expect(buffers.length).toBe(4);
    for (const a of [...Object.values(m.attributes).map((x) => x.array), m.index!]) {
      expect(a.byteOffset).toBe(0);
      expect(a.byteLength).toBe(a.buffer.byteLength);
    }
  });

  it('survives a transfer (as postMessage does it) and wraps into a geometry without copying', async () => {
    const m = await parseGlbArrays(asBuffer(await glbBytes(sphere(12, 16, true))));
    const sent = transferablesOf(m);
    const received = structuredClone(m, { transfer: sent });
    expect(sent.every((b) => b.byteLength === 0)).toBe(true); // detached on the sending side
    const loaded = meshFromArrays(received);
    expect(loaded.vertices).toBe(13 * 16);
    expect(loaded.uniformColour).toBe(true);
    expect(loaded.geometry.getAttribute('position').array).toBe(received.attributes.position.array);
    expect(loaded.geometry.index!.count).toBe(12 * 16 * 6);
    // Bounds come with it, as three would compute them.
    const box = loaded.geometry.boundingBox!.clone();
    loaded.geometry.computeBoundingBox();
    expect(box.min.distanceTo(loaded.geometry.boundingBox!.min)).toBeLessThan(1e-6);
    expect(box.max.distanceTo(loaded.geometry.boundingBox!.max)).toBeLessThan(1e-6);
    expect(loaded.geometry.boundingSphere!.radius).toBeGreaterThan(0);
  });

  it('flattens a scene GLB with its node transforms baked into one geometry', async () => {
    const a = sphere(8, 12), b = sphere(10, 14);
    const bytes = asBuffer(await sceneGlbBytes([
      { name: 'a', mesh: a, layout: layout([0.5, 0, 3]) },
      { name: 'b', mesh: b, layout: layout([-0.5, 0.2, 4], 0.5) },
    ], null));
    // Three's own reading of the placed scene, for the expected bounds.
    const gltf = await new GLTFLoader().parseAsync(bytes.slice(0), '');
    const expected = new Box3().setFromObject(gltf.scene, true);
    const m = await parseGlbArrays(bytes);
    expect(m.vertices).toBe(9 * 12 + 11 * 14);
    expect(m.triangles).toBe(8 * 12 * 2 + 10 * 14 * 2);
    expect(m.index).toBeInstanceOf(Uint32Array);
    expect(new Vector3(...m.bounds.min).distanceTo(expected.min)).toBeLessThan(1e-5);
    expect(new Vector3(...m.bounds.max).distanceTo(expected.max)).toBeLessThan(1e-5);
    // Indices of the second mesh point past the first's vertices.
    expect(Math.max(...m.index!)).toBe(9 * 12 + 11 * 14 - 1);
  });

  it('says so when the GLB holds no mesh', async () => {
    const doc = new Document();
    doc.createBuffer();
    doc.createScene('empty').addChild(doc.createNode('nothing'));
    const bytes = await new WebIO().writeBinary(doc);
    await expect(parseGlbArrays(asBuffer(bytes))).rejects.toThrow('The GLB has no mesh in it');
  });
});
