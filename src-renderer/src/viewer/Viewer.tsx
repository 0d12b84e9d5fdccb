/**
 * The 3D viewer: result mesh (and the baseline in Compare) with orbit controls, framing, axes gizmo,
 * grid, image-based lighting from the local studio HDR, shading modes and counts; a posed view puts the
 * object(s) in the photo's camera frame with the frustum and the photo as an image plane.
 * frameloop="demand": nothing renders unless something changed, so the viewer does not compete with
 * inference for the CPU/GPU.
 *
 * GPU resources: the meshes belong to useGlb/useGlbList, which dispose a mesh's geometry once it is
 * replaced; geometries and textures made here (frustum, photo texture) are disposed when they are
 * rebuilt or unmounted, so re-runs and posed-view toggles do not pile up buffers. A lost WebGL context
 * (GPU reset, driver busy) shows a message over the view with a "Reload view" button. The GLBs are parsed
 * in a worker (glbLoader.ts), so a large result does not freeze the window while it loads.
 *
 * Compare's two layouts share one tree: the result's canvas stays where it is and the baseline's canvas
 * is hidden in the overlay, not unmounted. Switching between side by side and overlay keeps both
 * canvases, their WebGL contexts and the camera each was orbited to (a remount made a new context and
 * reset the view every switch).
 */
import { Suspense, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Canvas, useThree, type RootState } from '@react-three/fiber';
import { Bounds, Environment, GizmoHelper, GizmoViewport, OrbitControls, useBounds } from '@react-three/drei';
import { BufferGeometry, CanvasTexture, DoubleSide, Float32BufferAttribute, Matrix4, SRGBColorSpace, type Texture, type Vector3, type WebGLRenderer } from 'three';
import hdrUrl from '../../../resources/hdr/studio.hdr?url';
import { useGlb, useGlbList, type LoadedMesh } from './useGlb';
import { photoPlane, posedMatrix, type LayoutLike } from './pose';

export type Shading = 'color' | 'normals' | 'matcap' | 'wireframe';
export type CompareMode = 'side' | 'overlay';

export interface ViewerItem {
  /** Artefact id of the GLB. */
  key: string;
  label: string;
  layout?: LayoutLike;
  /** Colour from photo was on and no vertex landed on the mask (report.photoColour.fromPhoto 0): the model's colour stayed. */
  nothingFromPhoto?: boolean;
}

interface Props {
  primary: ViewerItem | null;
  baseline: ViewerItem | null;
  /** The other objects of a scene job: shown, placed by their layouts, in the posed view. */
  extras: ViewerItem[];
  compareMode: CompareMode;
  /** The GLB's bytes, in a buffer the viewer may keep: it is transferred to the mesh worker (detached here). */
  fetchBytes: (key: string) => Promise<ArrayBuffer>;
  photo: { rgba: Uint8ClampedArray; width: number; height: number } | null;
  fovDeg: number;
  frameSignal: number;
  /** Bumped by the P shortcut: toggles the posed view (when the result has a layout). */
  posedSignal?: number;
}

/**
 * A clay matcap drawn on a canvas (no image file, no URL): a lit sphere with a warm key, a cool rim
 * and a dark core, the look sculptors use to judge form without colour.
 */
let clayMatcap: CanvasTexture | null = null;
function matcapTexture(): CanvasTexture {
  if (clayMatcap) return clayMatcap;
  const size = 128;
  const c = document.createElement('canvas');
  c.width = c.height = size;
  const g = c.getContext('2d')!;
  const base = g.createRadialGradient(size * 0.38, size * 0.32, size * 0.04, size * 0.5, size * 0.5, size * 0.5);
  base.addColorStop(0, '#f4efe8');
  base.addColorStop(0.45, '#b9afa4');
  base.addColorStop(0.85, '#4d4640');
  base.addColorStop(1, '#8da2c0');
  g.fillStyle = base;
  g.fillRect(0, 0, size, size);
  clayMatcap = new CanvasTexture(c);
  clayMatcap.colorSpace = SRGBColorSpace;
  return clayMatcap;
}

function MeshMaterial({ shading, tint }: { shading: Shading; tint?: string }) {
  // The baseline in the overlay is a faint translucent ghost in one tint, whatever the shading: a
  // wireframe of tens of thousands of triangles reads as an opaque solid and hides the accelerated
  // surface it is compared with.
  if (tint) return <meshBasicMaterial color={tint} transparent opacity={0.18} depthWrite={false} side={DoubleSide} />;
  if (shading === 'normals') return <meshNormalMaterial side={DoubleSide} />;
  if (shading === 'matcap') return <meshMatcapMaterial matcap={matcapTexture()} side={DoubleSide} />;
  if (shading === 'wireframe') return <meshBasicMaterial wireframe color="#d0d4dc" />;
  return <meshStandardMaterial vertexColors side={DoubleSide} roughness={0.65} metalness={0} envMapIntensity={1} />;
}

/** Asks for a frame once mounted: placed after something that arrives late (behind Suspense) to draw it. */
function InvalidateOnMount() {
  const invalidate = useThree((s) => s.invalidate);
  useLayoutEffect(() => invalidate(), [invalidate]);
  return null;
}

function FrameOn({ signal }: { signal: unknown }) {
  const bounds = useBounds();
  useEffect(() => { bounds.refresh().clip().fit(); }, [bounds, signal]);
  return null;
}

/**
 * Posed view camera: aimed at the objects (the centre of their placements), from behind, right of and
 * above the photo's camera (at the origin, looking down −Z), close enough that the objects fill a good
 * part of the view and the frustum lines lead to them. "Frame object" (F) comes back here.
 */
function PosedCamera({ targets, size, signal }: { targets: [number, number, number][]; size: number; signal: unknown }) {
  const camera = useThree((s) => s.camera);
  const controls = useThree((s) => s.controls) as unknown as { target: { set(x: number, y: number, z: number): void }; update(): void } | null;
  const invalidate = useThree((s) => s.invalidate);
  const key = targets.map((t) => t.join(',')).join(';');
  useEffect(() => {
    const n = Math.max(1, targets.length);
    const c = targets.reduce((a, t) => [a[0] + t[0] / n, a[1] + t[1] / n, a[2] + t[2] / n], [0, 0, 0]);
    const spread = Math.max(size, ...targets.map((t) => Math.hypot(t[0] - c[0], t[1] - c[1], t[2] - c[2]) * 2));
    const back = Math.max(2.2 * spread, 0.35 * Math.hypot(c[0], c[1], c[2]));
    camera.position.set(c[0] + 0.5 * back, c[1] + 0.4 * back, c[2] + back);
    camera.lookAt(c[0], c[1], c[2]);
    controls?.target.set(c[0], c[1], c[2]);
    controls?.update();
    invalidate();
    // `key` stands for the targets' values.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [camera, controls, key, size, invalidate, signal]);
  return null;
}

function Frustum({ fovDeg, depth }: { fovDeg: number; depth: number }) {
  const geom = useMemo(() => {
    const { half } = photoPlane(fovDeg, depth, 1, 1);
    const c = [[-half, -half], [half, -half], [half, half], [-half, half]];
    const pts: number[] = [];
    for (const [x, y] of c) pts.push(0, 0, 0, x, y, -depth);
    for (let i = 0; i < 4; i++) { const a = c[i], b = c[(i + 1) % 4]; pts.push(a[0], a[1], -depth, b[0], b[1], -depth); }
    const g = new BufferGeometry();
    g.setAttribute('position', new Float32BufferAttribute(pts, 3));
    return g;
  }, [fovDeg, depth]);
  // Passed as a prop, so R3F leaves it alone: disposed here when the depth or field of view rebuilds it.
  useEffect(() => () => geom.dispose(), [geom]);
  return <lineSegments geometry={geom}><lineBasicMaterial color="#9aa4b5" /></lineSegments>;
}

/** The photo as a texture for the posed view's image plane, with its size. */
interface PhotoTexture { tex: Texture; width: number; height: number }

function photoTexture(photo: NonNullable<Props['photo']>): PhotoTexture {
  const c = document.createElement('canvas');
  c.width = photo.width; c.height = photo.height;
  // ImageData views the decoded pixels (no copy; ImageData takes no shared memory, which decoded photos
  // never are); the canvas holds the texture's own copy.
  const rgba = photo.rgba.buffer instanceof ArrayBuffer ? (photo.rgba as Uint8ClampedArray<ArrayBuffer>) : new Uint8ClampedArray(photo.rgba);
  c.getContext('2d')!.putImageData(new ImageData(rgba, photo.width, photo.height), 0, 0);
  const tex = new CanvasTexture(c);
  tex.colorSpace = SRGBColorSpace;
  return { tex, width: photo.width, height: photo.height };
}

function PhotoPlane({ photo, fovDeg, depth }: { photo: PhotoTexture; fovDeg: number; depth: number }) {
  const p = photoPlane(fovDeg, depth, photo.width, photo.height);
  return (
    <mesh position={[0, 0, p.z]}>
      <planeGeometry args={[p.planeWidth, p.planeHeight]} />
      <meshBasicMaterial map={photo.tex} transparent opacity={0.85} toneMapped={false} />
    </mesh>
  );
}

function Posed({ layout, children }: { layout?: LayoutLike; children: React.ReactNode }) {
  const m = useMemo(() => (layout ? new Matrix4().fromArray(posedMatrix(layout)) : null), [layout]);
  if (!m) return <>{children}</>;
  return <group matrixAutoUpdate={false} matrix={m}>{children}</group>;
}

function Scene({ meshes, shading, posed, photo, fovDeg, frameSignal }: {
  meshes: { mesh: LoadedMesh; layout?: LayoutLike; overlay?: boolean }[];
  shading: Shading; posed: boolean; photo: PhotoTexture | null; fovDeg: number; frameSignal: unknown;
}) {
  const depth = posed ? Math.max(2, ...meshes.map((m) => (m.layout ? Math.abs(m.layout.translation[2]) * 1.4 : 2))) : 2;
  // Where the objects stand in the scene (camera frame → scene: x and z flip) and how large they are.
  const placed = meshes.filter((m) => !m.overlay && m.layout).map((m) => m.layout!);
  const targets = placed.map((l) => [-l.translation[0], l.translation[1], -l.translation[2]] as [number, number, number]);
  const size = Math.max(0.1, ...placed.map((l) => l.scale));
  const objects = meshes.map(({ mesh, layout, overlay }, i) => (
    <Posed key={i} layout={posed ? layout : undefined}>
      <mesh geometry={mesh.geometry}>
        <MeshMaterial shading={shading} tint={overlay ? '#2ec4ff' : undefined} />
      </mesh>
    </Posed>
  ));
  return (
    <>
      {/* The HDR loads once (useLoader suspends until then): the mesh is drawn meanwhile, and a frame is
          asked for when the lighting arrives. */}
      <Suspense fallback={null}>
        <Environment files={hdrUrl} />
        <InvalidateOnMount />
      </Suspense>
      <ambientLight intensity={0.15} />
      <OrbitControls makeDefault enableDamping={false} />
      {posed ? (
        <>
          <PosedCamera targets={targets} size={size} signal={frameSignal} />
          {objects}
        </>
      ) : (
        <Bounds fit clip margin={1.3}>
          <FrameOn signal={frameSignal} />
          {objects}
        </Bounds>
      )}
      {posed ? (
        <>
          <Frustum fovDeg={fovDeg} depth={depth} />
          {photo && <PhotoPlane photo={photo} fovDeg={fovDeg} depth={depth} />}
        </>
      ) : (
        <gridHelper args={[4, 40, '#566070', '#363c46']} position={[0, -0.5, 0]} />
      )}
      <GizmoHelper alignment="bottom-right" margin={[56, 56]}>
        <GizmoViewport axisColors={['#ff4d5e', '#5ee27a', '#4d8bff']} labelColor="#111" />
      </GizmoHelper>
    </>
  );
}

function Counts({ label, mesh }: { label: string; mesh: LoadedMesh | null }) {
  if (!mesh) return null;
  return <span className="counts" data-testid="mesh-counts">{label}: {mesh.vertices.toLocaleString()} vertices · {Math.round(mesh.triangles).toLocaleString()} triangles</span>;
}

/**
 * Test hook, not user-visible: `window.__studioViewerInfo()` gives each live viewer canvas's renderer
 * counts (three's `renderer.info.memory`: geometries and textures held on the GPU), so an end-to-end
 * test can check that re-runs and posed-view toggles do not pile them up (e2e/viewer-resources.spec.ts),
 * and its camera (position, orbit target, zoom), so one can check that a Compare layout switch keeps the
 * view where the artist left it (e2e/viewer-compare-and-worker.spec.ts).
 */
interface ViewerInfo {
  canvas: string; geometries: number; textures: number;
  camera: { position: number[]; target: number[] | null; zoom: number };
}
const liveRenderers = new Set<{ testId: string; gl: WebGLRenderer; get: RootState['get'] }>();
if (typeof window !== 'undefined') {
  (window as unknown as { __studioViewerInfo?: () => ViewerInfo[] }).__studioViewerInfo = () =>
    [...liveRenderers].map(({ testId, gl, get }) => {
      const { camera, controls } = get();
      const target = (controls as unknown as { target?: Vector3 } | null)?.target;
      return {
        canvas: testId, geometries: gl.info.memory.geometries, textures: gl.info.memory.textures,
        camera: { position: camera.position.toArray(), target: target ? target.toArray() : null, zoom: camera.zoom },
      };
    });
}

/**
 * Inside the Canvas: follows its WebGL context. Lost (GPU reset, driver busy, too many contexts): the
 * default is cancelled so the browser may restore it, and the view says so; restored: three rebuilds its
 * state, and a frame is asked for. The listeners go with the Canvas (before R3F releases the context on
 * unmount, which would read as a loss).
 */
function ContextWatch({ testId, onLost, onRestored }: { testId: string; onLost: () => void; onRestored: () => void }) {
  const gl = useThree((s) => s.gl);
  const invalidate = useThree((s) => s.invalidate);
  const get = useThree((s) => s.get);
  useEffect(() => {
    const el = gl.domElement;
    const lost = (e: Event) => { e.preventDefault(); onLost(); };
    const restored = () => { onRestored(); invalidate(); };
    el.addEventListener('webglcontextlost', lost);
    el.addEventListener('webglcontextrestored', restored);
    // Lost before this effect ran (R3F sets the renderer up asynchronously): no event will come.
    if (gl.getContext().isContextLost()) onLost();
    const entry = { testId, gl, get };
    liveRenderers.add(entry);
    return () => {
      el.removeEventListener('webglcontextlost', lost);
      el.removeEventListener('webglcontextrestored', restored);
      liveRenderers.delete(entry);
    };
  }, [gl, get, invalidate, onLost, onRestored, testId]);
  return null;
}

function View({ items, shading, posed, photo, fovDeg, frameSignal, testId }: {
  items: { mesh: LoadedMesh; layout?: LayoutLike; overlay?: boolean }[];
  shading: Shading; posed: boolean; photo: PhotoTexture | null; fovDeg: number; frameSignal: unknown; testId: string;
}) {
  const [lost, setLost] = useState(false);
  // "Reload view" mounts a new Canvas (a new renderer and context) in place of the lost one.
  const [generation, setGeneration] = useState(0);
  const onLost = useCallback(() => setLost(true), []);
  const onRestored = useCallback(() => setLost(false), []);
  return (
    <>
      <Canvas
        key={generation}
        data-testid={testId}
        frameloop="demand"
        // Kept so the e2e test and "copy image" can read pixels back after an on-demand frame.
        gl={{ preserveDrawingBuffer: true, antialias: true }}
        camera={{ position: [1.2, 0.9, 1.6], fov: 40, near: 0.01, far: 100 }}
        dpr={[1, 2]}
      >
        <ContextWatch testId={testId} onLost={onLost} onRestored={onRestored} />
        <color attach="background" args={['#1d2128']} />
        {/* Anything that suspends inside the canvas stops here. Without a boundary of its own, R3F hands a
            suspension out to the window's React tree, which then holds back every update of the window
            (a Compare layout switch included) until the canvas is done. */}
        <Suspense fallback={null}>
          <Scene meshes={items} shading={shading} posed={posed} photo={photo} fovDeg={fovDeg} frameSignal={frameSignal} />
        </Suspense>
      </Canvas>
      {lost && (
        <div role="alert" data-testid="viewer-context-lost"
          style={{ position: 'absolute', inset: 0, display: 'grid', placeContent: 'center', justifyItems: 'center', gap: 10, padding: 16, textAlign: 'center', background: 'rgba(29, 33, 40, 0.94)' }}>
          <p style={{ margin: 0, maxWidth: '42em' }}>
            The 3D view lost its graphics context (the GPU was reset or is busy). It may come back by itself; if it does not, reload the view.
          </p>
          <button type="button" onClick={() => { setLost(false); setGeneration((g) => g + 1); }}>Reload view</button>
        </div>
      )}
    </>
  );
}

export function Viewer({ primary, baseline, extras, compareMode, fetchBytes, photo, fovDeg, frameSignal, posedSignal = 0 }: Props) {
  const [shading, setShading] = useState<Shading>('color');
  const [posed, setPosed] = useState(false);
  const [localFrame, setLocalFrame] = useState(0);
  const a = useGlb(primary?.key ?? null, fetchBytes);
  const b = useGlb(baseline?.key ?? null, fetchBytes);
  // A mesh still on screen while the next one loads is drawn with its own item's layout and label.
  const seen = useRef(new Map<string, ViewerItem>());
  for (const item of [primary, baseline]) if (item) seen.current.set(item.key, item);
  const shownA = a.loadedKey ? seen.current.get(a.loadedKey) ?? null : null;
  const shownB = b.loadedKey ? seen.current.get(b.loadedKey) ?? null : null;
  for (const k of [...seen.current.keys()]) if (![primary?.key, baseline?.key, a.loadedKey, b.loadedKey].includes(k)) seen.current.delete(k);
  const canPose = !!primary?.layout;
  const posedOn = posed && canPose;
  // The other objects of a scene are only drawn in the posed view: loaded (and kept) only while it is on.
  const extraMeshes = useGlbList(posedOn ? extras.map((e) => e.key) : [], fetchBytes);
  // Framing follows the meshes on screen: a new result is framed once its mesh has loaded, not when its
  // key arrives (which would frame the previous mesh, still shown while the new one loads). Not the
  // Compare layout: switching it keeps the view the artist orbited to.
  const frame = `${frameSignal}:${localFrame}:${posed}:${a.loadedKey}:${b.loadedKey}`;
  // The photo for the posed view's image plane: one texture per photo, disposed when the photo changes.
  const photoTex = useMemo(() => (photo ? photoTexture(photo) : null), [photo]);
  useEffect(() => () => photoTex?.tex.dispose(), [photoTex]);
  const lastPosedSignal = useRef(posedSignal);
  useEffect(() => {
    if (posedSignal === lastPosedSignal.current) return;
    lastPosedSignal.current = posedSignal;
    if (canPose) setPosed((v) => !v);
  }, [posedSignal, canPose]);

  const common = { shading, posed: posedOn, photo: photoTex, fovDeg, frameSignal: frame };
  let body: React.ReactNode;
  if (!a.mesh || !shownA) {
    body = <div className="viewer-empty">{a.loading ? 'Loading mesh…' : a.error ?? 'Generate to see the 3D result here.'}</div>;
  } else {
    const hasBaseline = !!(b.mesh && shownB);
    const sideBySide = hasBaseline && compareMode === 'side';
    const items: { mesh: LoadedMesh; layout?: LayoutLike; overlay?: boolean }[] = [{ mesh: a.mesh, layout: shownA.layout }];
    // Each extra mesh with its own item's layout, by key (a failed load, or a list still loading, shifts
    // nothing); not beside the baseline, which has none.
    if (posedOn && !sideBySide) {
      for (const { key, mesh } of extraMeshes) {
        const item = extras.find((e) => e.key === key);
        if (item) items.push({ mesh, layout: item.layout });
      }
    }
    const overlaid = hasBaseline && !sideBySide;
    if (overlaid) items.push({ mesh: b.mesh!, layout: shownB!.layout, overlay: true });
    body = (
      <>
        {/* The same elements in every layout (the result's view first, the baseline's hidden in the
            overlay), so a layout switch re-lays them out and remounts neither canvas. */}
        <div className="side-by-side" style={sideBySide ? undefined : { gridTemplateColumns: 'minmax(0, 1fr)', gap: 0 }}>
          <figure>
            <View testId="viewer-canvas" items={items} {...common} />
            {sideBySide && <figcaption>{shownA.label}</figcaption>}
          </figure>
          {hasBaseline && (
            <figure hidden={!sideBySide}>
              <View testId="baseline-canvas" items={[{ mesh: b.mesh!, layout: shownB!.layout }]} {...common} />
              <figcaption>{shownB!.label}</figcaption>
            </figure>
          )}
        </div>
        {/* Which is which once both share one view: the solid mesh, and the baseline's cyan ghost. */}
        {overlaid && (
          <p className="overlay-key" data-testid="overlay-key">
            {shownA.label} (solid) · <span className="overlay-ghost">{shownB!.label} (translucent cyan)</span>
          </p>
        )}
      </>
    );
  }

  const uniformNote = primary?.nothingFromPhoto
    ? { text: 'one colour: nothing landed on the mask to colour', title: "Colour from photo was on, but no part of the mesh as posed landed on its mask (see the run's warnings), so it kept the model pack's one colour." }
    : { text: 'one colour: the pack gives no colour (try colour from photo)', title: "The model pack gave this mesh no colour (models/mini ships one neutral grey on purpose: see its model card). The Sampler group's “colour from photo” colours it from the photo instead; Matcap or normals show the form better." };

  return (
    <section className="panel viewer" aria-label="3D viewer">
      <div className="toolbar" role="toolbar" aria-label="Viewer">
        <label htmlFor="shading-select">Shading</label>
        <select id="shading-select" value={shading} onChange={(e) => setShading(e.target.value as Shading)}>
          <option value="color">vertex colour</option>
          <option value="normals">normals</option>
          <option value="matcap">matcap (clay)</option>
          <option value="wireframe">wireframe</option>
        </select>
        <label>
          <input type="checkbox" checked={posed} disabled={!canPose} onChange={(e) => setPosed(e.target.checked)} aria-keyshortcuts="P" />
          Posed scene (camera + photo)
        </label>
        <button type="button" onClick={() => setLocalFrame((n) => n + 1)} aria-keyshortcuts="F">Frame object</button>
        {shading === 'color' && a.mesh?.uniformColour && (
          <span className="muted" data-testid="uniform-colour" title={uniformNote.title}>{uniformNote.text}</span>
        )}
        <Counts label={primary?.label ?? ''} mesh={a.mesh} />
        {baseline && <Counts label={baseline.label} mesh={b.mesh} />}
      </div>
      {(a.error || b.error) && a.mesh && <p className="error" role="alert">{a.error ?? b.error}</p>}
      <div className="viewer-body">{body}</div>
    </section>
  );
}
