import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HDRLoader } from 'three/examples/jsm/loaders/HDRLoader.js';
import { FloatType } from 'three';

describe('local studio HDR (resources/hdr)', () => {
  it('is a valid Radiance file that three’s loader reads, with light brighter than 1', () => {
    const bytes = readFileSync(resolve(__dirname, '../../../resources/hdr/studio.hdr'));
    const loader = new HDRLoader().setDataType(FloatType);
    const tex = loader.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect([tex.width, tex.height]).toEqual([128, 64]);
    const data = tex.data as Float32Array;
    let max = 0, min = Infinity;
    for (let i = 0; i < data.length; i += 4) { max = Math.max(max, data[i]); min = Math.min(min, data[i]); }
    expect(max).toBeGreaterThan(4); // the key softbox: real HDR range, not a clipped LDR image
    expect(min).toBeGreaterThan(0.05); // no black holes in the lighting
  });
});
