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
export const CORNER_OFFSETS: readonly (readonly [number, number, number])[] = Array.from(
  { length: 8 },
  (_, c) => [c & 1, (c >> 1) & 1, (c >> 2) & 1] as const,
);

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
  [0, 2, 6, 4],
  [1, 3, 7, 5], // x = 0, x = 1
  [0, 4, 5, 1],
  [2, 6, 7, 3], // y = 0, y = 1
  [0, 1, 3, 2],
  [4, 5, 7, 6], // z = 0, z = 1
];

function edgeBetween(a: number, b: number): number {
  for (let e = 0; e < 12; e++) {
    const p = EDGE_CORNERS[2 * e];
    const q = EDGE_CORNERS[2 * e + 1];
    if ((p === a && q === b) || (p === b && q === a)) return e;
  }
  throw new Error(`corners ${a} and ${b} share no edge`);
}

/** Neighbour direction of each face in FACES: [axis, −1 | +1]. */
export const FACE_DIR: readonly (readonly [number, number])[] = [
  [0, -1],
  [0, 1],
  [1, -1],
  [1, 1],
  [2, -1],
  [2, 1],
];

/** Bit mask of faces (FACES order) whose four edges all cross, per sign code: the ambiguous faces. */
export const AMBIGUOUS_FACES: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let code = 0; code < 256; code++) {
    FACES.forEach((f, fi) => {
      const s = f.map((c) => (code >> c) & 1);
      if (s[0] === s[2] && s[1] === s[3] && s[0] !== s[1]) t[code] |= 1 << fi;
    });
  }
  return t;
})();

/**
 * INSIDE_LABEL[code·8 + c] = connected component (through cube edges between inside corners) of inside
 * corner c, or −1 for an outside corner.
 */
export const INSIDE_LABEL: Int8Array = (() => {
  const t = new Int8Array(256 * 8).fill(-1);
  for (let code = 0; code < 256; code++) {
    let next = 0;
    for (let start = 0; start < 8; start++) {
      if (!((code >> start) & 1) || t[code * 8 + start] >= 0) continue;
      const stack = [start];
      t[code * 8 + start] = next;
      while (stack.length) {
        const c = stack.pop()!;
        for (let bit = 0; bit < 3; bit++) {
          const n = c ^ (1 << bit);
          if ((code >> n) & 1 && t[code * 8 + n] < 0) {
            t[code * 8 + n] = next;
            stack.push(n);
          }
        }
      }
      next++;
    }
  }
  return t;
})();

/**
 * Whether the inside corners on ambiguous face `fi` are connected through the cube's other corners
 * (the situation in which separating them on the face would make both cubes' surfaces pinch).
 */
export function insideDiagonalConnected(code: number, fi: number): boolean {
  const f = FACES[fi];
  const a = (code >> f[0]) & 1 ? f[0] : f[1];
  const b = (code >> f[0]) & 1 ? f[2] : f[3];
  return INSIDE_LABEL[code * 8 + a] === INSIDE_LABEL[code * 8 + b];
}

/** The same face seen from the neighbouring cube: its corners are ours with the face axis bit flipped. */
export function neighbourCode(code: number, axis: number): number {
  let out = 0;
  for (let c = 0; c < 8; c++) if ((code >> c) & 1) out |= 1 << (c ^ (1 << axis));
  return out;
}

/**
 * Patch labels for a sign code with ambiguous faces resolved per `joinMask` bit: a set bit joins the
 * face's inside corners (cuts off its outside corners) instead of separating them. Both cubes sharing a
 * face decide the same way (see flexicubes.ts), so the mesh stays consistent.
 */
function buildPatches(code: number, joinMask: number, out: Int8Array, o: number): number {
  const inside = (c: number) => ((code >> c) & 1) === 1;
  const parent = Array.from({ length: 12 }, (_, e) => e);
  const find = (e: number): number => (parent[e] === e ? e : (parent[e] = find(parent[e])));
  const union = (a: number, b: number) => {
    parent[find(a)] = find(b);
  };
  const crosses = (e: number) => inside(EDGE_CORNERS[2 * e]) !== inside(EDGE_CORNERS[2 * e + 1]);
  FACES.forEach((face, fi) => {
    const edges = face.map((c, i) => edgeBetween(c, face[(i + 1) % 4]));
    const crossing = edges.filter(crosses);
    if (crossing.length === 2) union(crossing[0], crossing[1]);
    else if (crossing.length === 4) {
      // Cut off each inside corner (default), or each outside corner when the face is joined.
      const cutInside = ((joinMask >> fi) & 1) === 0;
      for (let i = 0; i < 4; i++) if (inside(face[i]) === cutInside) union(edges[(i + 3) % 4], edges[i]);
    }
  });
  const label = new Map<number, number>();
  for (let e = 0; e < 12; e++) {
    out[o + e] = -1;
    if (!crosses(e)) continue;
    const root = find(e);
    if (!label.has(root)) label.set(root, label.size);
    out[o + e] = label.get(root)!;
  }
  return label.size;
}

/**
 * PATCH_OF[code·12 + e] = patch number (0..3) of crossing edge e in a cube whose inside corners are the
 * set bits of `code` (ambiguous faces separating inside corners), or -1 when edge e does not cross.
 * PATCH_COUNT[code] = number of patches.
 */
export const { PATCH_OF, PATCH_COUNT } = (() => {
  const patchOf = new Int8Array(256 * 12);
  const patchCount = new Uint8Array(256);
  for (let code = 0; code < 256; code++) patchCount[code] = buildPatches(code, 0, patchOf, code * 12);
  return { PATCH_OF: patchOf, PATCH_COUNT: patchCount };
})();

const joinedCache = new Map<number, { patchOf: Int8Array; count: number }>();

/** Patch labels (12 entries) and count for a code with some ambiguous faces joined (cached). */
export function joinedPatches(code: number, joinMask: number): { patchOf: Int8Array; count: number } {
  const key = code * 64 + joinMask;
  let hit = joinedCache.get(key);
  if (!hit) {
    const patchOf = new Int8Array(12);
    hit = { patchOf, count: buildPatches(code, joinMask, patchOf, 0) };
    joinedCache.set(key, hit);
  }
  return hit;
}
