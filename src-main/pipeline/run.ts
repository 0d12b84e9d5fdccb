/**
 * Orchestration: condition → SS sampling → SS decode (→ mean of the shape samples) (→ fit to mask) →
 * prune → spectral aggregation → SLaT sampling → de-normalise → mesh_decoder → surface extraction
 * (→ colour from photo) → mesh + layout + report. One object (`runObject`) or several masks of one image (`runScene`: image
 * work and SS sampling/decoding batched, SLaT per object).
 */
import type { AccelParams, Method } from '../../src-shared/params';
import type { RunReport, SceneReport, StageName, StageTiming } from '../../src-shared/report';
import { STAGE_NAMES } from '../../src-shared/report';
import { createSlatPolicy, createSsPolicy, summariseSchedule } from './accel';
import type { SsStepPolicy } from './accel/types';
import { PipelineInputError, throwIfAborted } from './errors';
import { conditionInputs, conformMask, objectCutout } from './image';
import type { BinaryMask, DecodedImage } from './image';
import { ROLES, type Pack } from './pack';
import { reportedParams, resolveRun, scheduleWarnings } from './params-resolve';
import { ProgressReporter } from './progress';
import type { ProgressCallback } from './progress';
import { atObjectScale, decodeLayout } from './layout';
import { RNG_STREAMS, rngFunction } from './rng';
import { sampleSs, ssNoise, ssSchedule } from './sampling/ss-sampler';
import { decodeMesh, surfaceOf } from './stages/mesh';
import { prepareVoxels } from './stages/voxels';
import { meanOccupancyLogits } from './stages/shape-consensus';
import { fitToMask, maskField } from './stages/fit-to-mask';
import { colourFromPhoto, photoColourWarning } from './stages/photo-colour';
import type { SsState } from './sampling/ss-sampler';
import { sampleSlat, slatNoise, slatSchedule } from './sampling/slat-sampler';
import type { CameraInfo, Layout, Mesh, StageOracle } from './types';

export interface ObjectInput {
  mask: BinaryMask;
  name?: string;
  /** The file the user gave for the mask (CLI): problems with the mask name it, not the object. */
  maskFile?: string;
}

export interface RunOptions {
  method?: Method;
  /** Overrides on top of the method's preset (resolved and validated here). */
  params?: Partial<AccelParams>;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /** Injected initial noise (parity tests): SS state per object and SLaT noise per object. */
  noise?: { ss?: SsState[]; slat?: Float32Array[] };
  /** Diagnostics (bench --oracle): ground-truth stage outputs per object that replace the pipeline's. */
  oracle?: (StageOracle | undefined)[];
  /**
   * Masks of the same photo that are not reconstructed in this run (something in front, masked and left
   * out): fit to mask keeps what they may hide, as it does for the run's own masks. Unused otherwise.
   */
  otherMasks?: ObjectInput[];
}

export interface ObjectResult {
  /** Mesh in the object frame (z-up, [-0.5, 0.5]³, offset fix applied when enabled). */
  mesh: Mesh;
  layout: Layout;
  camera: CameraInfo;
  report: RunReport;
}

export interface SceneResult {
  objects: ObjectResult[];
  report: SceneReport;
}

/** `data` (one row per object) repeated `times` times: the batch of all shape samples. */
function repeatBatch(data: Float32Array, times: number): Float32Array {
  if (times === 1) return data;
  const out = new Float32Array(data.length * times);
  for (let j = 0; j < times; j++) out.set(data, j * data.length);
  return out;
}

const emptyStages = (): Record<StageName, StageTiming> =>
  Object.fromEntries(STAGE_NAMES.map((s) => [s, { ms: 0, networkPasses: 0 }])) as Record<StageName, StageTiming>;

/** Run one object. `image` from loadImageFile, `mask` from loadMaskFile / maskFromAlpha. */
export async function runObject(
  pack: Pack,
  input: { image: DecodedImage } & ObjectInput,
  opts: RunOptions = {},
): Promise<ObjectResult> {
  const { image, ...object } = input;
  const { objects } = await runMany(pack, image, [object], opts);
  return objects[0];
}

/** Several masks of one image in one job. */
export async function runScene(
  pack: Pack,
  input: { image: DecodedImage; masks: ObjectInput[] },
  opts: RunOptions = {},
): Promise<SceneResult> {
  if (input.masks.length === 0) throw new PipelineInputError('NO_MASK', 'a scene needs at least one mask.');
  const t0 = performance.now();
  const r = await runMany(pack, input.image, input.masks, opts);
  return {
    objects: r.objects,
    report: {
      pack: { name: pack.manifest.name, version: pack.manifest.version },
      executionProvider: pack.executionProvider,
      method: opts.method ?? 'fast-sam3d',
      totalMs: performance.now() - t0,
      shared: r.shared,
      objects: r.objects.map((o) => o.report),
      warnings: r.warnings,
    },
  };
}

/** How messages name a mask: by its file where it was read from one, else by its object's name. */
function maskLabel(inp: ObjectInput, fallback: string): string {
  if (inp.maskFile) return `the mask "${inp.maskFile}"`;
  return inp.name ? `the mask "${inp.name}"` : fallback;
}

async function runMany(pack: Pack, image: DecodedImage, inputs: ObjectInput[], opts: RunOptions) {
  const m = pack.manifest;
  const method = opts.method ?? 'fast-sam3d';
  const { params, warnings: paramWarnings } = resolveRun(method, opts.params);
  const k = inputs.length;
  const progress = new ProgressReporter(opts.onProgress, 0, k);
  // Parameters given that the method ignores, and schedules whose caching never acts (below): every
  // object's report carries them, as the scene's does.
  const sharedWarnings = [...image.warnings, ...paramWarnings];
  const masks = inputs.map((inp, q) =>
    conformMask(
      inp.mask,
      image.width,
      image.height,
      maskLabel(inp, k > 1 ? `mask ${q}` : 'the mask'),
      image.orientation,
      image.givenSize,
    ),
  );
  const objectWarnings = masks.map((mk) => [...mk.warnings]);
  throwIfAborted(opts.signal);
  // Every network is opened before the clock starts: a pack creates its sessions on first use, and the
  // first run after choosing a pack would count their loading as inference (Compare, whose accelerated
  // variant runs first, then showed 0.94× for a 2× method).
  await Promise.all(ROLES.map((role) => pack.session(role)));
  throwIfAborted(opts.signal);

  // --- condition (all objects in one batch) --------------------------------------------------------
  let t = performance.now();
  progress.emit('condition', 0);
  const ci = conditionInputs(image, masks, m.condition.imageSize, m.condition.cropBoxFactor);
  const s = m.condition.imageSize;
  const condOut = await pack.run('condition', {
    image: { data: ci.image, dims: [2 * k, 3, s, s] },
    mask: { data: ci.mask, dims: [2 * k, 1, s, s] },
  });
  const condSs = condOut.cond_ss,
    condSlat = condOut.cond_slat;
  const shared = {
    condition: { ms: performance.now() - t, networkPasses: 1 },
    ssSampling: { ms: 0, networkPasses: 0 },
    ssDecode: { ms: 0, networkPasses: 0 },
  };
  progress.emit('condition', 1);

  // --- SS sampling (batched over objects × shape samples) -------------------------------------------
  // Draw d = j·k + b is shape sample j of object b; sample 0 is SAM 3D's one draw (its noise, its layout).
  t = performance.now();
  const ssSched = ssSchedule(m, params);
  sharedWarnings.push(...scheduleWarnings(method, params, ssSched.steps, slatSchedule(m, params).steps));
  const samples = params.ssSamples;
  const draws = k * samples;
  const ssPolicies: SsStepPolicy[] = Array.from({ length: draws }, () =>
    createSsPolicy(method, params, {
      steps: ssSched.steps,
      timeGrid: ssSched.grid,
      guidedSteps: ssSched.guided,
      channels: m.grid.ssLatentChannels,
      numTokens: m.grid.ssLatentResolution ** 3,
      rng: rngFunction(params.seed, RNG_STREAMS.policy),
    }),
  );
  const firstNoise = opts.noise?.ss ?? masks.map(() => ssNoise(m, params.seed));
  const ss = await sampleSs({
    pack,
    schedule: ssSched,
    cond: { data: repeatBatch(condSs.data, samples), tokens: condSs.dims[1] },
    noise: Array.from({ length: draws }, (_, d) => (d < k ? firstNoise[d] : ssNoise(m, params.seed, Math.floor(d / k)))),
    policies: ssPolicies,
    signal: opts.signal,
    onStep: (e) => {
      // The samples of an object step together: its first one speaks for them.
      if (e.object < k) {
        progress.forObject(e.object).emit('ssSampling', (e.step + 1) / e.steps, { step: e.step, steps: e.steps, stepKind: e.kind });
      }
    },
  });
  shared.ssSampling = { ms: performance.now() - t, networkPasses: ss.networkPasses };
  const ssPassesOf = (b: number) => Array.from({ length: samples }, (_, j) => ss.objectPasses[j * k + b]).reduce((a, x) => a + x, 0);

  // --- SS decode (batched) -------------------------------------------------------------------------
  t = performance.now();
  throwIfAborted(opts.signal);
  progress.emit('ssDecode', 0);
  const L = m.grid.ssLatentResolution,
    C = m.grid.ssLatentChannels,
    R = m.grid.resolution;
  const latent = new Float32Array(draws * C * L * L * L);
  ss.states.forEach((st, d) => {
    const oracleShape = d < k ? opts.oracle?.[d]?.ssShape : undefined;
    if (oracleShape) st.shape.set(oracleShape);
    // latent[d, c, n] = x_shape[d, n, c]
    const tokens = L * L * L;
    for (let n = 0; n < tokens; n++) for (let c = 0; c < C; c++) latent[(d * C + c) * tokens + n] = st.shape[n * C + c];
  });
  const decodedLogits = (await pack.run('ss_decoder', { latent: { data: latent, dims: [draws, C, L, L, L] } })).logits.data;
  const logitsAll = meanOccupancyLogits(decodedLogits, k, samples, R * R * R);
  // Fit to mask: one distance field of every mask of the photo (another masked object may hide this
  // one), timed with the decode it prepares.
  const others = params.fitToMask ? usableOtherMasks(opts.otherMasks ?? [], image, sharedWarnings) : [];
  const fieldOfMasks = params.fitToMask ? maskField([...masks, ...others]) : null;
  shared.ssDecode = { ms: performance.now() - t, networkPasses: 1 };
  progress.emit('ssDecode', 1);

  // --- per object ----------------------------------------------------------------------------------
  const objects: ObjectResult[] = [];
  for (let b = 0; b < k; b++) {
    const start = performance.now();
    const pr = progress.forObject(b);
    const warnings = objectWarnings[b];
    const stages = emptyStages();
    // Shared stages are attributed evenly to the objects that shared them.
    stages.condition = { ms: shared.condition.ms / k, networkPasses: shared.condition.networkPasses };
    stages.ssSampling = { ms: shared.ssSampling.ms / k, networkPasses: ssPassesOf(b) };
    stages.ssDecode = { ms: shared.ssDecode.ms / k, networkPasses: 1 };

    // occupancy → pruning → guards → spectral aggregation
    t = performance.now();
    pr.emit('aggregation', 0);
    const label = inputs[b].name ?? (k > 1 ? `object ${b}` : 'the object');
    let logits = opts.oracle?.[b]?.occupancyLogits ?? logitsAll.subarray(b * R * R * R, (b + 1) * R * R * R);
    let maskFit: RunReport['maskFit'];
    if (fieldOfMasks) {
      // Placed by the grid's own layout: the aggregation factor comes later.
      const fit = fitToMask(logits, R, m.ss.occupancyThreshold, decodeLayout(ss.states[b], m, 1), m.camera.fovDeg, fieldOfMasks);
      logits = fit.logits;
      maskFit = { occupied: fit.occupied, removed: fit.removed, skipped: fit.skipped, ...(others.length ? { otherMasks: others.length } : {}) };
      if (fit.skipped) {
        warnings.push(
          `Fit to mask left the shape whole: over half of it lies outside the mask as posed, so the pose rather than the shape disagrees with the photo. Check the mask, or try another seed.`,
        );
      }
    }
    const vox = prepareVoxels(logits, m, method, params, () => objectCutout(image, masks[b]), label);
    warnings.push(...vox.warnings);
    const { agg } = vox;
    const coords = agg.coords;
    const n = coords.length / 3;
    stages.aggregation = { ms: performance.now() - t, networkPasses: 0 };
    pr.emit('aggregation', 1);

    // SLaT sampling
    t = performance.now();
    const slSched = slatSchedule(m, params);
    const slatPolicy = createSlatPolicy(method, params, {
      steps: slSched.steps,
      timeGrid: slSched.grid,
      guidedSteps: slSched.guided,
      channels: m.slat.channels,
      numTokens: n,
      spatialScore: agg.scores,
      rng: rngFunction(params.seed, RNG_STREAMS.policy),
    });
    const slatCond = condSlat.data.subarray(
      b * condSlat.dims[1] * condSlat.dims[2],
      (b + 1) * condSlat.dims[1] * condSlat.dims[2],
    );
    const slat = await sampleSlat({
      pack,
      schedule: slSched,
      cond: { data: slatCond, tokens: condSlat.dims[1] },
      coords,
      noise: opts.noise?.slat?.[b] ?? slatNoise(n, m.slat.channels, params.seed),
      policy: slatPolicy,
      signal: opts.signal,
      onStep: (e) =>
        pr.emit('slatSampling', (e.step + 1) / e.steps, {
          step: e.step,
          steps: e.steps,
          stepKind: e.kind,
          tokens: { evaluated: e.evaluated, carved: e.carved },
        }),
    });
    stages.slatSampling = { ms: performance.now() - t, networkPasses: slat.networkPasses };
    const oracleSlat = opts.oracle?.[b]?.slat;
    if (oracleSlat) slat.x = latentOnCoords(oracleSlat, coords, m.slat.channels, label);

    // mesh decoder + surface
    t = performance.now();
    throwIfAborted(opts.signal);
    pr.emit('meshDecode', 0);
    const decoded = await decodeMesh(pack, slat.x, coords);
    stages.meshDecode = { ms: performance.now() - t, networkPasses: 1 };
    pr.emit('meshDecode', 1);
    t = performance.now();
    throwIfAborted(opts.signal);
    pr.emit('surface', 0);
    const extracted = surfaceOf(decoded, m, agg.offset);
    // The aggregated grid decodes the object at 1/S of its size, placed by a layout whose scale carries S
    // (as SAM 3D's public code does); the photo lookup below works in that frame.
    const aggregatedLayout = decodeLayout(ss.states[b], m, agg.factorUsed);
    let photoColour: RunReport['photoColour'];
    if (params.colourFromPhoto) {
      const t0 = performance.now();
      // Where the aggregation's offset fix is off, the mesh lies shifted from the object in the photo: the
      // lookup undoes the shift (the geometry stays as the preset made it).
      const col = colourFromPhoto(extracted, aggregatedLayout, m.camera.fovDeg, image, masks[b], { shift: agg.unapplied });
      extracted.colors = col.colors;
      photoColour = { fromPhoto: col.fromPhoto, spread: col.spread, delit: col.delit, ms: performance.now() - t0 };
      const problem = photoColourWarning(col, label);
      if (problem) warnings.push(problem);
    }
    // The object frame does not change with the acceleration: the mesh scaled back by S, the layout's scale
    // the predicted one. The posed mesh is the same either way (S·s·p = s·(S·p)); an exported object-frame
    // mesh, and the window's comparison with the baseline, now show the object at the baseline's size.
    const { mesh, layout } = atObjectScale(extracted, aggregatedLayout, agg.factorUsed);
    stages.surface = { ms: performance.now() - t, networkPasses: 0 };
    pr.emit('surface', 1);

    const ssSummary = summariseSchedule(ss.patterns[b], ssSched.guided);
    const slatSummary = summariseSchedule(slat.pattern, slSched.guided);
    const camera = { fovDeg: m.camera.fovDeg, width: image.width, height: image.height };
    const report: RunReport = {
      pack: { name: m.name, version: m.version },
      executionProvider: pack.executionProvider,
      method,
      params: reportedParams(method, params, m),
      ...(inputs[b].name ? { name: inputs[b].name } : {}),
      objectMs: stages.condition.ms + stages.ssSampling.ms + stages.ssDecode.ms + (performance.now() - start),
      stages,
      schedules: {
        ss: { ...ssSummary, networkPasses: ssPassesOf(b) },
        slat: {
          ...slatSummary,
          networkPasses: slat.networkPasses,
          tokensEvaluated: slat.tokensEvaluated,
          tokensCarved: slat.tokensCarved,
          tablesMs: slat.tableMs,
        },
      },
      aggregation: {
        enabled: vox.enabled,
        decidedBy: vox.decidedBy,
        factor: agg.factorUsed,
        hfer2d: vox.hfer2d,
        hfer3d: vox.hfer3d,
        score: vox.score,
        voxelsBefore: vox.voxelsBefore,
        voxelsAfter: n,
        meshAtObjectScale: true,
      },
      ...(maskFit ? { maskFit } : {}),
      ...(photoColour ? { photoColour } : {}),
      layout: {
        rotation: layout.rotation,
        quaternion: layout.quaternion,
        translation: layout.translation,
        scale: layout.scale,
      },
      mesh: { vertices: mesh.positions.length / 3, triangles: mesh.indices.length / 3 },
      camera: { ...camera },
      warnings: [...sharedWarnings, ...pack.warnings, ...warnings],
    };
    objects.push({
      mesh,
      layout,
      camera,
      report,
    });
  }
  return { objects, shared, warnings: [...sharedWarnings, ...pack.warnings] };
}

/**
 * The other masks conformed to the photo. One that cannot be (another aspect ratio, all of the frame) is
 * left out with a warning rather than failing the run: it only ever keeps voxels. An empty one adds nothing.
 */
function usableOtherMasks(others: ObjectInput[], image: DecodedImage, warnings: string[]): BinaryMask[] {
  const out: BinaryMask[] = [];
  others.forEach((o, q) => {
    const label = maskLabel(o, `other mask ${q}`);
    try {
      out.push(conformMask(o.mask, image.width, image.height, label, image.orientation, image.givenSize));
    } catch (e) {
      if (!(e instanceof PipelineInputError)) throw e;
      if (e.code !== 'EMPTY_MASK') warnings.push(`Fit to mask did not count ${label} as something in front: ${e.message}`);
    }
  });
  return out;
}

/** The oracle latent's rows in the order of `coords` (every voxel must have one). */
function latentOnCoords(
  oracle: { coords: Int32Array; latent: Float32Array },
  coords: Int32Array,
  channels: number,
  label: string,
): Float32Array {
  const row = new Map<string, number>();
  for (let r = 0; r < oracle.coords.length / 3; r++)
    row.set(`${oracle.coords[3 * r]},${oracle.coords[3 * r + 1]},${oracle.coords[3 * r + 2]}`, r);
  const out = new Float32Array((coords.length / 3) * channels);
  for (let v = 0; v < coords.length / 3; v++) {
    const key = `${coords[3 * v]},${coords[3 * v + 1]},${coords[3 * v + 2]}`;
    const r = row.get(key);
    if (r === undefined)
      throw new PipelineInputError(
        'BAD_PARAMS',
        `${label}: the oracle latent has no row for voxel (${key}); run the oracle with acceleration off on its own occupancy.`,
      );
    out.set(oracle.latent.subarray(r * channels, (r + 1) * channels), v * channels);
  }
  return out;
}
