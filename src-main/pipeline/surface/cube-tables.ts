/**
 * Fixed tables of the unit cube used by the surface extractor.
 *
 * Corner index `c = cx + 2·cy + 4·cz` (x fastest) — the FlexiCubes order the mesh decoder's features use
 * (docs/model-pack.md). Our own edge numbering is `e = axis·4 + db + 2·dc` where the edge runs along
 * `axis`, and `db`, `dc` are its coordinates on the two other axes `b = (axis+1)%3`, `c = (axis+2)%3`.
 * This numbering makes the four cubes around a grid edge easy to enumerate (see flexicubes.ts).
 *
 * The dual-vertex table (which crossing edges of a cube belong to the same surface patch, hence the same
 * dual vertex) is derived here at load time instead of being typed in: on every cube face the crossing
 * edges are paired, and the pairs are joined with union-find. Faces with four crossings (ambiguous) are
 * resolved by cutting off each inside corner — a rule that depends only on the face's own corner signs,
 * so both cubes sharing a face agree and the mesh stays manifold.
 */

/** Corner offsets (cx, cy, cz) for corner c. */
export const CORNER_OFFSETS: readonly (readonly [number, number, number])[] = Array.from({ length: 8 }, (_, c) => [c & 1, (c >> 1) & 1, (c >> 2) & 1] as const);

/** Endpoint corners of our edge e: [low end along the axis, high end]. */
export const EDGE_CORNERS: Int8Array = (() => {
  const t = new Int8Array(24);
  for (let axis = 0; axis < 3; axis++) {
    const b = (axis + 1) % 3;
    const c = (axis + 2) % 3;
    for (let q = 0; q < 4; q++) {
      const db = q & 1;
      const dc = q >> 1;
      const lo = [0, 0, 0];
      lo[b] = db;
      lo[c] = dc;
      const hi = [...lo];
      hi[axis] = 1;
      t[2 * (axis * 4 + q)] = lo[0] + 2 * lo[1] + 4 * lo[2];
      t[2 * (axis * 4 + q) + 1] = hi[0] + 2 * hi[1] + 4 * hi[2];
    }
  }
  return t;
})();

/**
 * FlexiCubes' edge order (corner pairs), in which the 12 β weights of `decoders.mesh.layout.weights`
 * are stored: (0,1) (1,5) (4,5) (0,4) (2,3) (3,7) (6,7) (2,6) (2,0) (3,1) (7,5) (6,4).
 */
const FLEXICUBES_EDGES = [0, 1, 1, 5, 4, 5, 0, 4, 2, 3, 3, 7, 6, 7, 2, 6, 2, 0, 3, 1, 7, 5, 6, 4];

/** BETA_SLOT[e] = position of our edge e among the 12 β weights (FlexiCubes order). */
export const BETA_SLOT: Int8Array = (() => {
  const t = new Int8Array(12).fill(-1);
  for (let f = 0; f < 12; f++) {
    const a = FLEXICUBES_EDGES[2 * f];
    const b = FLEXICUBES_EDGES[2 * f + 1];
    for (let e = 0; e < 12; e++) {
      const p = EDGE_CORNERS[2 * e];
      const q = EDGE_CORNERS[2 * e + 1];
      if ((p === a && q === b) || (p === b && q === a)) t[e] = f;
    }
  }
  return t;
})();

/** The six faces as corner cycles (consecutive corners share an edge). */
const FACES: number[][] = [
  [0, 2, 6, 4], [1, 3, 7, 5], // x = 0, x = 1
  [0, 4, 5, 1], [2, 6, 7, 3], // y = 0, y = 1
  [0, 1, 3, 2], [4, 5, 7, 6], // z = 0, z = 1
];

function edgeBetween(a: number, b: number): number {
  for (let e = 0; e < 12; e++) {
    const p = EDGE_CORNERS[2 * e];
    const q = EDGE_CORNERS[2 * e + 1];
    if ((p === a && q === b) || (p === b && q === a)) return e;
  }
  throw new Error(`corners ${a} and ${b} share no edge`);
}

/**
 * PATCH_OF[code·12 + e] = patch number (0..3) of crossing edge e in a cube whose inside corners are the
 * set bits of `code`, or -1 when edge e does not cross. PATCH_COUNT[code] = number of patches.
 */
export const { PATCH_OF, PATCH_COUNT } = (() => {
  const patchOf = new Int8Array(256 * 12).fill(-1);
  const patchCount = new Uint8Array(256);
  for (let code = 0; code < 256; code++) {
    const inside = (c: number) => ((code >> c) & 1) === 1;
    const parent = Array.from({ length: 12 }, (_, e) => e);
    const find = (e: number): number => (parent[e] === e ? e : (parent[e] = find(parent[e])));
    const union = (a: number, b: number) => {
      parent[find(a)] = find(b);
    };
    const crosses = (e: number) => inside(EDGE_CORNERS[2 * e]) !== inside(EDGE_CORNERS[2 * e + 1]);
    for (const face of FACES) {
      const edges = face.map((c, i) => edgeBetween(c, face[(i + 1) % 4]));
      const crossing = edges.filter(crosses);
      if (crossing.length === 2) union(crossing[0], crossing[1]);
      else if (crossing.length === 4) {
        // Ambiguous face: separate the inside corners (each is cut off by its two adjacent edges).
        for (let i = 0; i < 4; i++) if (inside(face[i])) union(edges[(i + 3) % 4], edges[i]);
      }
    }
    const label = new Map<number, number>();
    for (let e = 0; e < 12; e++) {
      if (!crosses(e)) continue;
      const root = find(e);
      if (!label.has(root)) label.set(root, label.size);
      patchOf[code * 12 + e] = label.get(root)!;
    }
    patchCount[code] = label.size;
  }
  return { PATCH_OF: patchOf, PATCH_COUNT: patchCount };
})();
