/** Shared fixtures of the export tests: a coloured sphere from the real extractor and a layout. */
import { extractSurface } from '../../src-main/pipeline/surface';
import type { Layout, Mesh } from '../../src-main/pipeline/types';
import { matrixToQuaternion } from '../../src-main/export/frames';
import { DMC_LAYOUT, fieldFromSdf, sphereSdf, boxSdf } from './analytic-fields';
import type { Document } from '@gltf-transform/core';
import validator from 'gltf-validator';

/** Sphere of radius 0.3 off-centre (so frame mistakes show) extracted at 24³. */
export function sphere(): Mesh {
  return extractSurface(fieldFromSdf(sphereSdf(0.25, [0.1, 0, 0]), 24, 2), DMC_LAYOUT);
}

/** Box with half-extents 0.4 (x) × 0.2 (y) × 0.1 (z): its dimensions reveal axis swaps. */
export function box(): Mesh {
  return extractSurface(fieldFromSdf(boxSdf([0.4, 0.2, 0.1]), 32, 2), DMC_LAYOUT);
}

/** A rotation of 30° about the camera y axis, scale 0.8, 2 m in front of the camera. */
export function layout(): Layout {
  const a = Math.PI / 6;
  const rotation = [Math.cos(a), 0, -Math.sin(a), 0, 1, 0, Math.sin(a), 0, Math.cos(a)];
  const q = matrixToQuaternion(rotation);
  return { rotation, quaternion: [q[3], q[0], q[1], q[2]], translation: [0.3, -0.1, 2], scale: 0.8 };
}

export async function validate(bytes: Uint8Array): Promise<{ errors: number; messages: string[] }> {
  const report = await validator.validateBytes(bytes, { maxIssues: 50 });
  return {
    errors: report.issues.numErrors,
    messages: report.issues.messages
      .filter((m) => m.severity === 0)
      .map((m) => `${m.code} ${m.pointer ?? ''}: ${m.message}`),
  };
}

/**
 * The positions of a GLB's mesh where a viewer draws them: through its node's world transform (a posed
 * object GLB carries its layout there, as a scene GLB does), in glTF axes.
 */
export function worldPositionsOf(doc: Document): Float32Array {
  const node = doc.getRoot().listNodes().find((n) => n.getMesh())!;
  const m = node.getWorldMatrix();
  const local = node.getMesh()!.listPrimitives()[0].getAttribute('POSITION')!.getArray() as Float32Array;
  const out = new Float32Array(local.length);
  for (let i = 0; i < local.length; i += 3) {
    const [x, y, z] = [local[i], local[i + 1], local[i + 2]];
    for (let r = 0; r < 3; r++) out[i + r] = m[r] * x + m[4 + r] * y + m[8 + r] * z + m[12 + r]; // column-major
  }
  return out;
}
