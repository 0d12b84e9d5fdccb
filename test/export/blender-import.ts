/**
 * Runs Debian's Blender headless to import our files and report what an artist would see. The Python
 * is kept here as a string (the project's Python lives under tools/; this is only Blender's scripting).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export function blenderPath(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v blender'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export interface ImportedObject {
  name: string;
  type: string;
  /** World-space bounding box (Blender axes, z-up). */
  min: number[];
  max: number[];
  vertices: number;
  colorAttributes: string[];
  /** The distinct colours of the first colour attribute as Blender shows them (sRGB, 3 decimals; at most 64). */
  colours: number[][];
  /** World-space vertex positions (meshes only). */
  positions: number[][];
  /**
   * Meshes: one entry per material slot, whether that material's shader reads a colour attribute (a
   * Color Attribute / Attribute node linked into it), i.e. whether the vertex colours show in Material
   * Preview and renders. Empty without materials.
   */
  materialsUseColours: boolean[];
  /** Camera objects: Blender's sensor-fit field of view in radians, and their world forward vector. */
  cameraFov?: number;
  forward?: number[];
}

const SCRIPT = String.raw`
import sys, json
import numpy
numpy.bool = bool  # Debian Blender 3.4 + numpy 1.24: the glTF add-on still uses numpy.bool
import bpy, mathutils

def reset():
    bpy.ops.wm.read_factory_settings(use_empty=True)

def describe():
    out = []
    for ob in bpy.context.scene.objects:
        item = {"name": ob.name, "type": ob.type, "min": [0,0,0], "max": [0,0,0], "vertices": 0, "colorAttributes": [], "colours": [], "positions": [], "materialsUseColours": []}
        if ob.type == 'MESH':
            me = ob.data
            pts = [ob.matrix_world @ v.co for v in me.vertices]
            item["positions"] = [[p.x, p.y, p.z] for p in pts]
            item["vertices"] = len(pts)
            item["min"] = [min(p[a] for p in pts) for a in range(3)]
            item["max"] = [max(p[a] for p in pts) for a in range(3)]
            item["colorAttributes"] = [a.name for a in getattr(me, "color_attributes", [])] + [a.name for a in me.vertex_colors if a.name not in [c.name for c in getattr(me, "color_attributes", [])]]
            for m in me.materials:
                reads = bool(m and m.use_nodes and any(l.from_node.type in ('VERTEX_COLOR', 'ATTRIBUTE') for l in m.node_tree.links))
                item["materialsUseColours"].append(reads)
            attrs = getattr(me, "color_attributes", [])
            if len(attrs) > 0:
                seen = set()
                for x in attrs[0].data:
                    seen.add(tuple(round(c, 3) for c in x.color_srgb[:3]))
                    if len(seen) > 64: break
                item["colours"] = sorted(list(c) for c in seen)
        if ob.type == 'CAMERA':
            item["cameraFov"] = ob.data.angle_y
            fwd = ob.matrix_world.to_3x3() @ mathutils.Vector((0, 0, -1))
            item["forward"] = [fwd.x, fwd.y, fwd.z]
            item["min"] = list(ob.matrix_world.translation)
            item["max"] = list(ob.matrix_world.translation)
        out.append(item)
    return out

results = {}
args = sys.argv[sys.argv.index("--") + 1:]
for f in args:
    reset()
    try:
        if f.endswith(".glb"):
            bpy.ops.import_scene.gltf(filepath=f)
        elif f.endswith(".obj"):
            bpy.ops.wm.obj_import(filepath=f)
        elif f.endswith(".ply"):
            bpy.ops.import_mesh.ply(filepath=f)
        results[f] = {"objects": describe()}
    except Exception as e:
        results[f] = {"error": repr(e)}
print("FASTSAM3D_RESULT " + json.dumps(results))
`;

/** Imports each file in a fresh Blender scene; returns the objects per file (or the import error). */
export function importWithBlender(
  files: string[],
  workDir: string,
): Record<string, { objects?: ImportedObject[]; error?: string }> {
  const script = path.join(workDir, 'blender-import.py');
  writeFileSync(script, SCRIPT);
  const r = spawnSync('blender', ['-b', '--factory-startup', '--python', script, '--', ...files], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 240_000,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('FASTSAM3D_RESULT '));
  if (!line)
    throw new Error(
      `Blender produced no result (exit ${r.status}).\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`,
    );
  return JSON.parse(line.slice('FASTSAM3D_RESULT '.length)) as Record<
    string,
    { objects?: ImportedObject[]; error?: string }
  >;
}
