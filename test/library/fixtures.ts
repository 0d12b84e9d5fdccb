/** Real inputs for the library tests: PNG photos and masks made with sharp, a coloured cube mesh and its GLB. */
import { Document, NodeIO } from '@gltf-transform/core';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach } from 'vitest';
import { resolveParams } from '../../src-shared/params';
import type { Mesh } from '../../src-main/pipeline/types';
import { Library, PENDING_PROVIDER, type BeginRunInput } from '../../src-main/library';
import { Dispatcher } from '../../src-main/api/index';
import { libraryHandlers } from '../../src-main/api/library';

/**
 * `openLib(dir?)` for a test file: a real library in a temp folder (or `dir`), closed after each test.
 * Call once at the top level of the file.
 */
export function libraryOpener(thumbnailSize = 32): (dir?: string) => Library {
  const open: Library[] = [];
  afterEach(() => {
    for (const l of open.splice(0)) l.close();
  });
  return (dir = tempDir()) => {
    const lib = Library.open(dir, { appVersion: '0.1.0', thumbnailSize });
    open.push(lib);
    return lib;
  };
}

/**
 * `setup()` for a test file: a real library in a temp folder behind the real API dispatcher (schema
 * validation, error mapping), closed after each test. `call` returns the result or throws the API error
 * (as `err.api`). Call once at the top level of the file.
 */
export function libraryApiOpener(thumbnailSize = 32) {
  const openLib = libraryOpener(thumbnailSize);
  return () => {
    const dir = tempDir();
    const lib = openLib(dir);
    const d = new Dispatcher().register(libraryHandlers(lib));
    const call = async (method: string, req: unknown) => {
      const r = await d.dispatch(method, req);
      if (!r.ok) throw Object.assign(new Error(r.error.message), { api: r.error });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read replies loosely
      return r.result as any;
    };
    return { lib, d, call, dir };
  };
}

export function tempDir(prefix = 'fs3d-lib-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A w×h photo: a horizontal gradient with a red disc, opaque. */
export async function photoPng(w = 64, h = 48, seed = 0): Promise<Buffer> {
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      const inside = (x - w / 2) ** 2 + (y - h / 2) ** 2 < (Math.min(w, h) / 3) ** 2;
      px[o] = inside ? 220 : (x * 4 + seed) & 255;
      px[o + 1] = inside ? 30 : (y * 4) & 255;
      px[o + 2] = inside ? 40 : 128;
    }
  }
  return sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}

/** An RGBA cut-out (SAM 3D convention): alpha 255 inside a centred rectangle of `rw`×`rh`, 0 outside. */
export async function cutoutPng(w = 64, h = 48, rw = 20, rh = 10): Promise<Buffer> {
  const px = Buffer.alloc(w * h * 4, 255);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = Math.abs(x + 0.5 - w / 2) <= rw / 2 && Math.abs(y + 0.5 - h / 2) <= rh / 2;
      const o = (y * w + x) * 4;
      if (inside) { px[o] = 10; px[o + 1] = 200; px[o + 2] = 30; }
      px[o + 3] = inside ? 255 : 0;
    }
  }
  return sharp(px, { raw: { width: w, height: h, channels: 4 } }).png().toBuffer();
}

/** A grey-level mask PNG with `area` white pixels in the first rows. */
export async function greyMaskPng(w: number, h: number, area: number): Promise<Buffer> {
  const px = Buffer.alloc(w * h, 0);
  px.fill(255, 0, area);
  return sharp(px, { raw: { width: w, height: h, channels: 1 } }).png().toBuffer();
}

/** Unit cube in [-0.4, 0.4]³ (object frame), 8 vertices coloured by position, 12 triangles, outward CCW. */
export function cubeMesh(): Mesh {
  const p: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < 8; i++) {
    const x = i & 1 ? 0.4 : -0.4, y = i & 2 ? 0.4 : -0.4, z = i & 4 ? 0.4 : -0.4;
    p.push(x, y, z);
    c.push(x + 0.5, y + 0.5, z + 0.5);
  }
  const idx = [0, 2, 1, 1, 2, 3, 4, 5, 6, 5, 7, 6, 0, 1, 4, 1, 5, 4, 2, 6, 3, 3, 6, 7, 0, 4, 2, 2, 4, 6, 1, 3, 5, 3, 7, 5];
  return { positions: new Float32Array(p), colors: new Float32Array(c), indices: new Uint32Array(idx) };
}

/** The cube as a GLB (y-up, as the exporter writes it), built with gltf-transform. */
export async function cubeGlb(): Promise<Uint8Array> {
  const mesh = cubeMesh();
  const doc = new Document();
  const buf = doc.createBuffer();
  const pos = new Float32Array(mesh.positions.length);
  for (let i = 0; i < pos.length; i += 3) {
    pos[i] = mesh.positions[i]; pos[i + 1] = mesh.positions[i + 2]; pos[i + 2] = -mesh.positions[i + 1];
  }
  const prim = doc.createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(pos).setBuffer(buf))
    .setAttribute('COLOR_0', doc.createAccessor().setType('VEC3').setArray(mesh.colors).setBuffer(buf))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(mesh.indices).setBuffer(buf));
  const m = doc.createMesh('cube').addPrimitive(prim);
  doc.createScene().addChild(doc.createNode('cube').setMesh(m));
  return new NodeIO().writeBinary(doc);
}

/** A RunReport-shaped object as the pipeline returns it (only the fields the library reads matter). */
export function fakeReport(objectMs: number, method = 'fast-sam3d', params?: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...extra,
    pack: { name: 'test-tiny', version: '1.0.0' }, executionProvider: 'cpu', method, ...(params ? { params } : {}),
    objectMs, stages: {}, schedules: { ss: { pattern: 'FFcFcc', full: 3, cached: 3, carved: 0, networkPasses: 6 }, slat: { pattern: 'FFFCcC', full: 3, cached: 1, carved: 2, networkPasses: 5 } },
    mesh: { vertices: 8, triangles: 12 }, warnings: [],
  };
}

export function runInput(imageId: string, maskIds: string[], method: BeginRunInput['method'] = 'fast-sam3d', seed = 42): BeginRunInput {
  const preset = method === 'off' || method === 'balanced' || method === 'max' || method === 'fast-sam3d' ? method : 'fast-sam3d';
  return {
    imageId, maskIds, packId: 'test-tiny', packName: 'test-tiny', packVersion: '1.0.0', method,
    params: { ...resolveParams(preset, { seed }), ssSteps: 6, slatSteps: 6 }, executionProvider: 'cpu', appVersion: '0.1.0',
  };
}

/** The report fields of an aggregated, placed result: `aggregation.factor` S and a layout (scale includes S). */
export function placement(factor: number, layout: { scale: number; translation: [number, number, number]; rotation?: number[] }): Record<string, unknown> {
  return {
    aggregation: { factor, hfer2d: 0, hfer3d: 0, score: 0, voxelsBefore: 100, voxelsAfter: Math.round(100 / factor ** 3) },
    layout: { rotation: layout.rotation ?? [1, 0, 0, 0, 1, 0, 0, 0, 1], quaternion: [1, 0, 0, 0], translation: layout.translation, scale: layout.scale },
  };
}

/** The cube scaled by k about the origin (an aggregated run's decoded mesh is the baseline's / S). */
export function scaledCube(k: number): Mesh {
  const m = cubeMesh();
  return { ...m, positions: m.positions.map((v) => v * k) };
}

/** A photo ("chair.png") with one saved mask of 300 pixels in `lib`: the inputs a run needs. */
export async function imageWithMask(lib: Library) {
  const { image } = await lib.importImage({ name: 'chair.png', data: await photoPng() });
  const mask = await lib.saveMask({ imageId: image.id, name: 'chair', png: await greyMaskPng(64, 48, 300) });
  return { image, mask };
}

/** A run as the job service records it on submission: queued, its provider not known yet. */
export const queued = (imageId: string, maskId: string, jobId?: string) =>
  ({ ...runInput(imageId, [maskId]), status: 'queued' as const, executionProvider: PENDING_PROVIDER, ...(jobId ? { jobId } : {}) });

const requireHere = createRequire(import.meta.url);

/**
 * Another process writes to the library's database and is killed (SIGKILL) before it closes it: its
 * commits are in library.sqlite-wal (not yet checkpointed into the file), with the -shm beside it.
 */
export function killedWriter(dir: string): void {
  const script = `
    const Database = require(${JSON.stringify(requireHere.resolve('better-sqlite3'))});
    const db = new Database(${JSON.stringify(path.join(dir, 'library.sqlite'))});
    db.pragma('wal_autocheckpoint = 0');
    for (let i = 0; i < 20; i++) db.prepare("UPDATE projects SET name = name || ' *', updated_at = ?").run(String(i));
    process.kill(process.pid, 'SIGKILL');`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (r.signal !== 'SIGKILL') throw new Error(`the writer was not killed: ${r.stderr}`);
}

/** sha256 of library.sqlite, -wal and -shm ('-' for a file that is not there). */
export function dbFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['library.sqlite', 'library.sqlite-wal', 'library.sqlite-shm']) {
    const f = path.join(dir, name);
    out[name] = fs.existsSync(f) ? createHash('sha256').update(fs.readFileSync(f)).digest('hex') : '-';
  }
  return out;
}

/** Scribble over every page after the first (schema) page of the database file, as a failing disk would. */
export function damagePages(db: string): Buffer {
  const bytes = fs.readFileSync(db);
  const pageSize = bytes.readUInt16BE(16);
  for (let p = 1; p * pageSize < bytes.length; p++) bytes.fill(0xa5, p * pageSize + 8, p * pageSize + 200);
  fs.writeFileSync(db, bytes);
  return bytes;
}

