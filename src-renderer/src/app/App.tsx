/**
 * The studio window: image + masks on the left, the 3D viewer in the middle, the acceleration panel on
 * the right, the run strip below and the library drawer on demand. All data goes through the typed API.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { DEFAULT_PARAMS, SAMPLER_KEYS, type AccelParams, type Method } from '../../../src-shared/params';
import { count } from '../../../src-shared/count';
import type { JobSubmitRequest, JobSummary, StudioApi } from '../../../src-shared/api';
import { MAX_JOB_MASKS, type ExecutionProvider } from '../../../src-shared/api/jobs';
import { errorMessage } from '../api/errors';
import { ImagePanel, TOOLS } from '../components/ImagePanel';
import type { Tool } from '../components/MaskCanvas';
import { AccelPanel } from '../components/AccelPanel';
import { RunStrip, type PackOption } from '../components/RunStrip';
import { ComparePanel } from '../components/ComparePanel';
import { ExportDialog } from '../components/ExportDialog';
import { ExamplePicker } from '../components/ExamplePicker';
import { LibraryDrawer } from '../components/LibraryDrawer';
import { isProjectArchive, type HostKind } from '../components/library/projectArchive';
import { PhotoRuns } from '../components/PhotoRuns';
import { Viewer, type CompareMode } from '../viewer/Viewer';
import { posedFovDeg } from '../viewer/pose';
import { useConnection } from '../state/useConnection';
import { unsentRenames } from '../state/maskSet';
import { useMaskEditor } from '../state/useMaskEditor';
import { useMaskView } from '../state/useMaskView';
import { redoStep, undoStep, useSegment } from '../segment/useSegment';
import { ZOOM_STEP } from '../mask/viewport';
import { loadResult, useRun } from '../state/useRun';
import { useProgressAnnouncement } from '../runs/useProgressAnnouncement';
import { requestKey, requestMatchesScreen } from '../runs/submitModel';
import { valuesOfRequest } from '../runs/attachModel';
import { focusIsLost } from '../components/focus';
import { encodeMaskPng, bytesToBase64, base64ToBytes } from '../mask/png';
import { applyMethod, paramProblems, toOverrides } from '../params/paramModel';
import { actionFor, SHORTCUT_HELP } from './shortcuts';
import { heldMaskIds, loadFromFiles, loadFromLibrary, reimportPhoto, type LoadedImage } from './loadInputs';

const AUTO_RERUN_MS = 700;

export function App({ api }: { api: StudioApi }) {
  const editor = useMaskEditor();
  const [image, setImage] = useState<LoadedImage | null>(null);
  const [imageError, setImageError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [tool, setTool] = useState<Tool>('pick');
  const [method, setMethod] = useState<Method>('fast-sam3d');
  const [values, setValues] = useState<AccelParams>(() => applyMethod(DEFAULT_PARAMS, 'fast-sam3d'));
  const [packs, setPacks] = useState<(PackOption & { cameraFovDeg?: number })[]>([]);
  const [packId, setPackId] = useState<string | null>(null);
  // A finished job ran on what was on screen when Generate was pressed; the status says when that changed since.
  const matchesScreen = useCallback((req: JobSubmitRequest) => requestMatchesScreen(req, {
    imageId: image?.id ?? null, packId, method, params: toOverrides(method, values),
    maskIds: editor.set.masks.filter((m) => m.selected && m.area > 0).map((m) => m.savedId),
  }), [editor.set, image, method, packId, values]);
  const connection = useConnection(api);
  /** Set below, once openImage exists: a job found running with no photo shown opens its photo. */
  const showJobPhoto = useRef<(job: JobSummary) => void>(() => undefined);
  const run = useRun(api, image?.id ?? null, { matchesScreen, online: connection === 'open', onJobWithoutPhoto: (job) => showJobPhoto.current(job) });
  const [autoRerun, setAutoRerun] = useState(false);
  const [compareMode, setCompareMode] = useState<CompareMode>('side');
  const [exportOpen, setExportOpen] = useState(false);
  const [libraryOpen, setLibraryOpen] = useState(false);
  const [frameSignal, setFrameSignal] = useState(0);
  const [posedSignal, setPosedSignal] = useState(0);
  const [fatal, setFatal] = useState<string | null>(null);
  const [worker, setWorker] = useState<{ state: string; reason?: string } | null>(null);
  const [appInfo, setAppInfo] = useState<string | null>(null);
  const [provider, setProvider] = useState<ExecutionProvider>('auto');
  const [usableProviders, setUsableProviders] = useState<string[]>([]);
  const [dataDir, setDataDir] = useState<string | null>(null);
  const [host, setHost] = useState<HostKind | null>(null);
  /** Project zips dropped on the window, on their way to the Library drawer's import. */
  const [droppedArchives, setDroppedArchives] = useState<File[]>([]);
  const [startupProblems, setStartupProblems] = useState<string[]>([]);
  // Renames, trash and restores happen in the Library drawer: "This photo" reads its runs again when it closes.
  const [libraryClosings, setLibraryClosings] = useState(0);
  useEffect(() => {
    if (!libraryOpen) setLibraryClosings((n) => n + 1);
  }, [libraryOpen]);
  const view = useMaskView();
  const segment = useSegment(api, image, tool === 'segment', editor);

  // Worker health (restarts after a crash show here) and where the app runs. app.info says the worker's
  // state when the window opens (its events only say what changes), and is asked again each time a
  // worker is ready (the providers it can use, CUDA or DirectML, are known only then) and when the
  // connection to a restarted host comes back (its worker's events went by while the window was away).
  const [infoAsked, setInfoAsked] = useState(0);
  const online = connection === 'open';
  useEffect(() => api.on('worker.status', (w) => {
    setWorker(w);
    if (w.state === 'ready') setInfoAsked((n) => n + 1);
  }), [api]);
  useEffect(() => {
    if (!online) return;
    let stale = false;
    api.invoke('app.info', {}).then(
      (i) => {
        if (stale) return;
        setAppInfo(`v${i.version} · ${i.host} · ${i.executionProviders.join('/') || 'cpu'}`);
        setUsableProviders(i.executionProviders);
        setDataDir(i.dataDir);
        setHost(i.host);
        setStartupProblems(i.startupProblems);
        setWorker(i.worker);
      },
      () => undefined, // the packs/settings call above reports an unreachable host
    );
    return () => { stale = true; };
  }, [api, infoAsked, online]);
  const openRef = useRef<() => void>(() => undefined);
  const libraryButton = useRef<HTMLButtonElement>(null);
  const exportButton = useRef<HTMLButtonElement>(null);
  const progressSaid = useProgressAnnouncement(run.progress, run.running);
  /**
   * The dialog gives the focus back to what had it when it opened; opened with Ctrl+E from nowhere (the
   * page's body), that is nowhere again, so the Export button that reopens it takes it.
   */
  const closeExport = useCallback(() => {
    setExportOpen(false);
    requestAnimationFrame(() => { if (focusIsLost()) exportButton.current?.focus(); });
  }, []);

  // Packs and settings once at start.
  useEffect(() => {
    let live = true;
    Promise.all([api.invoke('packs.list', {}), api.invoke('settings.get', {})]).then(([list, settings]) => {
      if (!live) return;
      // packs.list holds 3D packs only; segmentation packs are listed by segment.packs for the Segment tool
      const opts = list.map((p) => ({
        id: p.id, label: `${p.name} ${p.version}`, valid: p.valid, problems: p.problems, samplerDefaults: p.samplerDefaults, cameraFovDeg: p.cameraFovDeg,
      }));
      setPacks(opts);
      const pick = opts.find((p) => p.id === settings.defaultPackId && p.valid) ?? opts.find((p) => p.valid) ?? null;
      // A running job's photo opened meanwhile brought its own pack: that one stays.
      setPackId((chosen) => chosen ?? pick?.id ?? null);
      setAutoRerun(settings.autoRerun);
      setProvider(settings.executionProvider);
    }, (e) => live && setFatal(errorMessage(e, 'Connecting to the studio host')));
    return () => { live = false; };
  }, [api]);

  /** Window preferences live in the host's settings, so they survive a restart. */
  const persist = useCallback((patch: { autoRerun?: boolean; defaultPackId?: string; executionProvider?: ExecutionProvider }) => {
    api.invoke('settings.set', patch).catch((e: unknown) => run.setError(errorMessage(e, 'Saving the setting')));
  }, [api, run]);

  const selected = editor.set.masks.filter((m) => m.selected && m.area > 0);
  const generateHint = !image ? 'Open an image first (Ctrl+O), or one of the examples under Image.'
    : selected.length === 0 ? 'Pick or draw a mask and tick it (a mask needs at least one pixel).'
    : !packId ? 'No valid model pack installed: build one (see docs/model-pack.md) and restart.'
    : paramProblems(values)[0] ?? null;

  const buildRequest = useCallback(async (withBaseline: boolean) => {
    if (!image || !packId) return null;
    // What the library still holds: a photo whose project's trash was emptied while it was open here is
    // added back from the editor, and masks it no longer holds are saved again, so the work here runs.
    let img = image;
    let held = await heldMaskIds(api, img.id);
    if (held === null) {
      img = await reimportPhoto(api, img);
      setImage(img);
      held = new Set();
      setImageError(`“${img.name}” had been deleted from the library while it was open here (its trash was emptied), so it was added back from the editor, as a PNG, with its masks.`);
    }
    const inLibrary = (m: { savedId?: string }) => (m.savedId !== undefined && held.has(m.savedId) ? m.savedId : undefined);
    const chosen = editor.set.masks.filter((m) => m.selected && m.area > 0);
    // Fit to mask keeps what the photo's other masks may hide: the thing in front, masked and left out
    // (saved to the library like the run's own; at most what a request carries).
    const others = values.fitToMask ? editor.set.masks.filter((m) => !m.selected && m.area > 0).slice(0, MAX_JOB_MASKS) : [];
    const ids: Record<string, string> = {};
    // A saved mask renamed since is renamed in the library (its runs and files take the new name), not saved twice.
    for (const m of unsentRenames([...chosen, ...others]).filter(inLibrary)) {
      await api.invoke('masks.rename', { maskId: m.savedId!, name: m.name });
      ids[m.key] = m.savedId!;
    }
    for (const m of [...chosen, ...others]) {
      if (inLibrary(m)) continue;
      const rec = await api.invoke('masks.save', { imageId: img.id, name: m.name, png: bytesToBase64(encodeMaskPng(m.mask)) });
      ids[m.key] = rec.id;
    }
    if (Object.keys(ids).length) editor.markSaved(ids);
    const maskIds = chosen.map((m) => ids[m.key] ?? m.savedId!);
    const otherMaskIds = others.map((m) => ids[m.key] ?? m.savedId!);
    return {
      kind: maskIds.length > 1 ? 'scene' as const : 'object' as const,
      imageId: img.id, maskIds, ...(otherMaskIds.length ? { otherMaskIds } : {}), packId, method, params: toOverrides(method, values), withBaseline,
    };
  }, [api, editor, image, packId, method, values]);

  /**
   * One Generate at a time: a press (a double-click, G held down, an auto re-run) while the last one still
   * saves its masks or is being submitted is taken once that one is in, with the window's settings then:
   * the same request is not submitted twice (useRun.submit follows the running one), other settings
   * replace it.
   */
  const generating = useRef(false);
  const pressedMeanwhile = useRef<boolean | null>(null);
  const [pressAgain, setPressAgain] = useState<{ withBaseline: boolean; after: string | null } | null>(null);
  /** `after`: the request a press made meanwhile follows; the same one again is not submitted, even if it ended. */
  const generate = useCallback(async (withBaseline = false, after: string | null = null) => {
    if (generateHint) { run.setError(generateHint); return; }
    if (generating.current) { pressedMeanwhile.current = withBaseline; return; }
    generating.current = true;
    let built: string | null = null;
    try {
      const req = await buildRequest(withBaseline);
      built = req ? requestKey(req) : null;
      if (req && built !== after) await run.submit(req);
    } catch (e) {
      run.setError(errorMessage(e, 'Saving the masks'));
    } finally {
      generating.current = false;
      const again = pressedMeanwhile.current;
      pressedMeanwhile.current = null;
      // After the next render, so the press sees the masks as saved (their library ids) and the values now.
      if (again !== null) setPressAgain({ withBaseline: again, after: built });
    }
  }, [buildRequest, generateHint, run]);
  useEffect(() => {
    if (pressAgain) void generate(pressAgain.withBaseline, pressAgain.after);
    // Only a new press re-runs, not every re-render of generate().
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pressAgain]);
  /**
   * Generate and Compare wait while a job of this photo is submitted or runs (Cancel is on then, and takes
   * the focus); while its masks are saved just before, a press is taken as above.
   */
  const generateBusy = run.busy;

  // Auto re-run: debounced on value changes; the previous job is cancelled by submit().
  const firstValues = useRef(true);
  useEffect(() => {
    if (firstValues.current) { firstValues.current = false; return; }
    if (!autoRerun || generateHint) return;
    const t = setTimeout(() => { void generate(false); }, AUTO_RERUN_MS);
    return () => clearTimeout(t);
    // Only parameter changes trigger a re-run, not every re-render of generate().
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [values, method]);

  const onFiles = useCallback(async (files: File[]) => {
    // A project archive is not a photo: the Library imports it and says there what arrived. A photo in the
    // same drop (a dropped folder that also holds a zip) wins: that is what the image panel is for.
    const archives = files.filter(isProjectArchive);
    if (archives.length > 0 && !files.some((f) => f.type.startsWith('image/'))) {
      setDroppedArchives((waiting) => [...waiting, ...archives]);
      setLibraryOpen(true);
      return;
    }
    setLoading(true); setImageError(null);
    try {
      const { image: img, masks, reusedFrom, skipped, warnings } = await loadFromFiles(api, files);
      setImage(img);
      editor.reset(masks);
      run.clearShown();
      // The last status spoke of the last photo's result; a photo already in the library says where it is,
      // and a job still running says whose it is (its result goes to the library, not onto this photo).
      const still = run.running && img.id !== image?.id ? 'The previous photo’s run goes on: its result will be in the Library. ' : '';
      run.setStatus(reusedFrom === undefined ? (still || null)
        : `${still}“${img.name}” is already in the library (project “${reusedFrom.name}”): reopened it${masks.length ? ` with ${count(masks.length, 'mask')}` : ''}, no copy made.`
          + (reusedFrom.runs > 0 ? ` The project's ${reusedFrom.runs === 1 ? 'result is' : `${reusedFrom.runs} results are`} in the Library (Ctrl+L).` : ''));
      // Someone segmenting goes on segmenting the new photo; otherwise pick among its masks, or draw one.
      setTool((t) => (t === 'segment' ? t : masks.length ? 'pick' : 'wand'));
      // Mask files left out, and how others were read (a 0/1 or red mask), where mask problems are said.
      if (skipped.length || warnings.length) setImageError([...skipped, ...warnings].join(' '));
    } catch (e) {
      setImageError(errorMessage(e, 'Opening the image'));
    } finally {
      setLoading(false);
    }
  }, [api, editor, image, run]);

  /**
   * A library image with its masks; with `maskIds` (a reopened result, an example's masks) only those, all
   * going into the next run; otherwise only the first.
   */
  const openImage = useCallback(async (imageId: string, maskIds?: string[]) => {
    setLoading(true); setImageError(null);
    try {
      const { image: img, masks } = await loadFromLibrary(api, imageId, maskIds);
      setImage(img);
      editor.reset(masks.map((m) => ({ ...m })), maskIds !== undefined);
      return true;
    } catch (e) {
      setImageError(errorMessage(e, 'Opening the library image'));
      return false;
    } finally {
      setLoading(false);
    }
  }, [api, editor]);

  /** The settings a run or job was made with, on screen once its photo is open (not a change to re-run on). */
  const showSettings = useCallback((m: Method, v: AccelParams, pack: string | null) => {
    setMethod(m);
    setValues(v);
    firstValues.current = true;
    if (pack !== null) setPackId(pack);
  }, []);

  /**
   * A job the host runs while this window shows no photo (it was reloaded, or opened beside the one that
   * pressed Generate): its photo and masks, with the method, values and pack it runs with, so the run
   * strip follows it there (useRun) and its result is shown as made from the settings on screen.
   */
  showJobPhoto.current = (job: JobSummary) => {
    if (image || loading) return;   // the user opened a photo first: theirs stays
    const req = job.request;
    void openImage(req.imageId, req.maskIds).then((opened) => {
      if (opened) showSettings(req.method, valuesOfRequest(req), req.packId);
    });
  };


  /** A bundled example: into the library (once), then opened like a library image with its masks. */
  const openExample = useCallback(async (id: string) => {
    setLoading(true); setImageError(null);
    try {
      const { image: img, masks } = await api.invoke('examples.open', { id });
      // Every mask of an example goes into the run (the scene example opens as a scene).
      if (!(await openImage(img.id, masks.map((m) => m.id)))) return;
      run.clearShown();
      setTool('pick');
      run.setStatus(`Opened the example “${id}” with ${masks.length === 1 ? 'its mask' : `its ${masks.length} masks (a scene)`}: press G to generate.`);
    } catch (e) {
      setImageError(errorMessage(e, `Opening the example “${id}”`));
    } finally {
      setLoading(false);
    }
  }, [api, openImage, run]);

  const openRun = useCallback(async (runId: string) => {
    try {
      const r = await api.invoke('runs.reopen', { runId });
      if (!(await openImage(r.imageId, r.maskIds))) return;
      // A run stores the sampler values it resolved; those equal to its pack's own read as "pack", not as tuned.
      const packDefaults = packs.find((p) => p.id === r.packId)?.samplerDefaults;
      const params = { ...(r.params as Partial<AccelParams>) };
      for (const k of SAMPLER_KEYS) if (packDefaults && params[k] === packDefaults[k]) delete params[k];
      showSettings(r.method, { ...DEFAULT_PARAMS, ...params, seed: r.seed }, packs.some((p) => p.id === r.packId) ? r.packId : null);
      const opened = await loadResult(api, [runId]);
      run.clearShown();   // the progress strip of the last job does not describe this result
      run.setResult(opened);
      run.setStatus(`Opened “${opened.objects[0]?.run.name ?? 'the run'}” with its settings.`);
      setLibraryOpen(false);
    } catch (e) {
      run.setError(errorMessage(e, 'Opening the run'));
    }
  }, [api, openImage, packs, run, showSettings]);

  const takeDroppedArchives = useCallback(() => setDroppedArchives([]), []);

  const fetchBytes = useCallback(async (artefactId: string) => {
    const { data } = await api.invoke('artefacts.read', { artefactId });
    const bytes = base64ToBytes(data);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }, [api]);

  // Paste an image anywhere in the window.
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const files = [...(e.clipboardData?.files ?? [])].filter((f) => f.type.startsWith('image/'));
      if (files.length) { e.preventDefault(); void onFiles(files); }
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [onFiles]);

  const hasResult = !!run.result;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // The Export dialog is modal: its own Esc closes it, and no shortcut (Esc included: it would also cancel a
      // running job) reaches the window behind it.
      if (exportOpen) return;
      const t = e.target as HTMLElement | null;
      const a = actionFor({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, shiftKey: e.shiftKey, altKey: e.altKey,
        targetTag: t?.tagName, targetType: (t as HTMLInputElement | null)?.type });
      if (!a) return;
      if (a === 'cancel') {
        // Esc first closes the library, then clears the segment prompts; else it cancels the running job.
        if (libraryOpen) { e.preventDefault(); setLibraryOpen(false); }
        else if (tool === 'segment' && segment.hasPrompts) { e.preventDefault(); segment.clear(); }
        else if (run.running) { e.preventDefault(); void run.cancel(); }
        return;
      }
      if (a === 'accept') { if (tool === 'segment' && segment.accept()) e.preventDefault(); return; }
      if (a.startsWith('zoom') && !image) return;
      e.preventDefault();
      // G and C do what the buttons do, and those wait while this photo's job goes (Esc cancels it).
      if (a === 'generate') { if (!generateBusy) void generate(false); }
      else if (a === 'compare') { if (!generateBusy) void generate(true); }
      else if (a === 'export') { if (hasResult) setExportOpen(true); }
      else if (a === 'open') openRef.current();
      else if (a === 'library') setLibraryOpen((o) => !o);
      else if (a === 'undo') undoStep(tool === 'segment', segment, editor);
      else if (a === 'redo') redoStep(tool === 'segment', segment, editor);
      else if (a === 'newMask') { if (image) editor.addMask(image.width, image.height); }
      else if (a === 'frame') setFrameSignal((n) => n + 1);
      else if (a === 'posed') setPosedSignal((n) => n + 1);
      else if (a === 'zoomIn') view.zoomBy(ZOOM_STEP);
      else if (a === 'zoomOut') view.zoomBy(1 / ZOOM_STEP);
      else if (a === 'zoomFit') view.fit();
      else if (a.startsWith('tool:')) setTool(a.slice(5) as Tool);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [editor, exportOpen, generate, generateBusy, hasResult, image, libraryOpen, run, segment, tool, view]);

  const result = run.result;
  // Runs renamed in the Library drawer: their names as the library has them now, read when it closes, so
  // the Export dialog, Compare and the viewer's labels do not keep the old ones.
  const [runNames, setRunNames] = useState<Record<string, string>>({});
  const resultRef = useRef(result);
  resultRef.current = result;
  useEffect(() => {
    const ids = resultRef.current?.objects.map((o) => o.run.runId) ?? [];
    if (ids.length === 0) return;
    let live = true;
    void Promise.all(ids.map((runId) => api.invoke('runs.get', { runId }).then((d) => [runId, d.name] as const, () => null))).then((pairs) => {
      if (!live) return;
      const known = pairs.filter((p): p is readonly [string, string] => p !== null);
      setRunNames((names) => (known.every(([id, n]) => names[id] === n) ? names : { ...names, ...Object.fromEntries(known) }));
    });
    return () => { live = false; };
  }, [api, libraryClosings]);
  const nameOf = useCallback((v: { runId: string; name: string }) => runNames[v.runId] ?? v.name, [runNames]);
  const [objectIndex, setObjectIndex] = useState(0);
  useEffect(() => setObjectIndex(0), [result]);
  const openInEditor = useMemo(() => ({ imageId: image?.id ?? null, runIds: result?.objects.map((o) => o.run.runId) ?? [] }), [image, result]);
  const current = result?.objects[Math.min(objectIndex, result.objects.length - 1)] ?? null;
  const primary = useMemo(() => current?.run.glbId
    ? { key: current.run.glbId, label: current.run.report.method, layout: current.run.layout, nothingFromPhoto: current.run.report.photoColour?.fromPhoto === 0 } : null, [current]);
  const baseline = useMemo(() => current?.baseline?.glbId
    ? { key: current.baseline.glbId, label: `${current.baseline.report.method} (baseline)`, layout: current.baseline.layout } : null, [current]);
  // The posed view looks through the camera the run used (its report), else its pack's, else the selected pack's.
  const runReport = current?.run.report;
  const fovDeg = posedFovDeg(
    runReport?.camera?.fovDeg,
    packs.find((p) => p.id === current?.run.packId)?.cameraFovDeg,
    packs.find((p) => p.id === packId)?.cameraFovDeg,
  );
  const extras = useMemo(() => (result?.objects ?? []).filter((o) => o !== current && o.run.glbId)
    .map((o) => ({ key: o.run.glbId!, label: nameOf(o.run), layout: o.run.layout })), [result, current, nameOf]);

  return (
    <div className="studio">
      <header className="topbar">
        <h1>Fast-SAM3D Studio</h1>
        <button type="button" ref={libraryButton} onClick={() => setLibraryOpen((o) => !o)} aria-expanded={libraryOpen} aria-keyshortcuts="Control+L">Library</button>
        <span className="muted shortcuts" title={SHORTCUT_HELP.split(' · ').join('\n')} tabIndex={0} aria-label={`Keyboard shortcuts: ${SHORTCUT_HELP}`}>{SHORTCUT_HELP}</span>
        {appInfo && <span className="muted app-info">{appInfo}</span>}
        {worker && connection === 'open' && (
          <span className={`worker worker-${worker.state}`} role="status" aria-label="Inference worker" title={worker.reason ?? ''}>
            worker: {worker.state}{worker.reason && worker.state !== 'down' ? ` (${worker.reason.split('\n')[0]})` : ''}
          </span>
        )}
      </header>
      <div className="banners">
        {worker?.state === 'down' && worker.reason && connection === 'open' && (
          <p className="error banner worker-down-reason" role="alert">{worker.reason}</p>
        )}
        {startupProblems.map((p) => (
          <p key={p} className="warning banner" role="status">
            {p}
            <button type="button" className="link" onClick={() => setStartupProblems((list) => list.filter((x) => x !== p))}>Dismiss</button>
          </p>
        ))}
        {fatal && <p className="error banner" role="alert">{fatal} Start the host with <code>npm run serve</code> (or the app) and reload this window.</p>}
        {connection === 'lost' && (
          <p className="error banner" role="alert" data-testid="connection-lost">
            Lost the connection to the app host (is <code>npm run serve</code> still running?). This window reconnects by itself
            once it is back; a run that was going when it stopped did not finish.
          </p>
        )}
        {connection === 'stale-token' && (
          <p className="error banner" role="alert" data-testid="connection-stale">
            The app host was restarted with a new session token, so this window can no longer talk to it: open the URL it printed
            when it started (Open: …). Your library is kept.
          </p>
        )}
      </div>
      <main className="workspace">
        <ImagePanelWithOpen
          image={image} editor={editor} tool={tool} onTool={setTool} onFiles={onFiles}
          error={imageError} busy={loading} openRef={openRef} view={view} segment={segment}
          emptyExtras={<ExamplePicker api={api} onOpen={(id) => void openExample(id)} busy={loading} />}
        />
        <div className="centre">
          <Viewer primary={primary} baseline={baseline} extras={extras} compareMode={compareMode} fetchBytes={fetchBytes}
            photo={image} fovDeg={fovDeg} frameSignal={frameSignal} posedSignal={posedSignal} />
          <PhotoRuns api={api} imageId={image?.id ?? null} refreshKey={run.finishedCount + libraryClosings} currentRunId={current?.run.runId ?? null}
            onOpen={(id) => void openRun(id)} />
          {result && current && (
            <ComparePanel report={current.run.report} baseline={current.baseline?.report ?? null}
              metrics={current.run.metrics} mode={compareMode} onMode={setCompareMode} note={result.note}
              objects={result.objects.map((o) => nameOf(o.run))} objectIndex={objectIndex} onObject={setObjectIndex} />
          )}
        </div>
        <AccelPanel method={method} values={values} autoRerun={autoRerun} onAutoRerun={(on) => { setAutoRerun(on); persist({ autoRerun: on }); }}
          packDefaults={packs.find((p) => p.id === packId)?.samplerDefaults}
          onChange={(m, v) => { setMethod(m); setValues(v); }} />
      </main>
      <RunStrip
        packs={packs} packId={packId} onPack={(id) => { setPackId(id); persist({ defaultPackId: id }); }}
        provider={provider} usableProviders={usableProviders}
        onProvider={(x) => { setProvider(x); persist({ executionProvider: x }); }}
        canGenerate={!generateHint} generateHint={generateHint} running={run.running} generateBusy={generateBusy} hasResult={hasResult}
        progress={run.progress} status={run.status} error={run.error}
        onGenerate={() => void generate(false)} onCancel={() => void run.cancel()}
        onCompare={() => void generate(true)} onExport={() => setExportOpen(true)} exportButton={exportButton}
      />
      {/* Milestones of the running job for screen readers (a quarter at a time, not every percent). */}
      <p className="sr-only" role="status" data-testid="progress-announcer">{progressSaid}</p>
      <LibraryDrawer api={api} open={libraryOpen} onClose={() => setLibraryOpen(false)} refreshKey={run.finishedCount}
        dataDir={dataDir} host={host} droppedArchives={droppedArchives} onDroppedArchivesTaken={takeDroppedArchives} fallbackFocus={libraryButton}
        openInEditor={openInEditor}
        onOpenRun={(id) => void openRun(id)} onOpenImage={(id) => { void openImage(id).then(() => { run.clearShown(); run.setStatus(null); setLibraryOpen(false); }); }} />
      {exportOpen && current && (
        <ExportDialog api={api} dataDir={dataDir} runId={current.run.runId} name={nameOf(current.run)} triangles={current.run.report.mesh.triangles} onClose={closeExport} />
      )}
    </div>
  );
}

/** ImagePanel plus a handle for Ctrl+O (clicks its hidden file input). */
function ImagePanelWithOpen(props: Parameters<typeof ImagePanel>[0] & { openRef: React.MutableRefObject<() => void> }) {
  const { openRef, ...rest } = props;
  useEffect(() => {
    openRef.current = () => document.querySelector<HTMLInputElement>('[data-testid="image-input"]')?.click();
  }, [openRef]);
  return <ImagePanel {...rest} />;
}

export { TOOLS };
