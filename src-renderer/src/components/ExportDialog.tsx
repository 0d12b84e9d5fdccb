/**
 * Export dialog: formats, posed (camera frame) or object frame, target triangle count, calling
 * `export.run`. Under Electron the written files can be dragged out (into Blender) and shown in their
 * folder through the optional `window.studioShell` preload bridge; in the browser host each file is a
 * download (the host may be another machine).
 */
import { useEffect, useRef, useState, type DragEvent } from 'react';
import type { StudioApi } from '../../../src-shared/api';
import { errorMessage } from '../api/errors';
import { baseName, downloadUrl, studioShell as shell } from './exportedFiles';
import { initialTarget, MIN_TARGET, TARGET_REFUSED, targetCount } from './exportTarget';

type Format = 'glb' | 'obj' | 'ply';

interface Props {
  api: StudioApi;
  /** The host's data folder (app.info): exported files inside it can be downloaded in the browser. */
  dataDir: string | null;
  runId: string;
  name: string;
  triangles: number | null;
  onClose: () => void;
}

export function ExportDialog({ api, dataDir, runId, name, triangles, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [formats, setFormats] = useState<Set<Format>>(new Set(['glb']));
  const [posed, setPosed] = useState(false);
  const [simplify, setSimplify] = useState(false);
  // The field's text as typed: clamping on every keystroke turned the "2" of "2500" into 100.
  const [targetText, setTargetText] = useState(() => initialTarget(triangles));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [files, setFiles] = useState<{ path: string; format: string; bytes: number; replaced?: boolean }[]>([]);
  const [dir, setDir] = useState<string | null>(null);
  /** For screen readers (the polite status below): that the export started and what it wrote. */
  const [announce, setAnnounce] = useState('');

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  const toggle = (f: Format) => setFormats((s) => { const n = new Set(s); if (n.has(f)) n.delete(f); else n.add(f); return n; });

  const run = async () => {
    if (busy) return;
    if (formats.size === 0) { setError('Choose at least one format (GLB for Blender).'); return; }
    const target = targetCount(targetText);
    if (simplify && target === null) { setError(TARGET_REFUSED); return; }
    const names = [...formats].map((f) => f.toUpperCase()).join(', ');
    setBusy(true); setError(null); setFiles([]); // the last export's list does not describe this one
    setAnnounce(`Exporting ${names}…`);
    try {
      const res = await api.invoke('export.run', {
        runId, formats: [...formats], posed, targetTriangles: simplify && target !== null ? target : undefined,
      });
      setFiles(res.files);
      setDir(res.dir ?? null);
      setAnnounce(`Export finished: ${res.files.length} ${res.files.length === 1 ? 'file' : 'files'} written (${names}).`);
    } catch (e) {
      setAnnounce(''); // the alert below says what went wrong
      // The result shown here left the library (its trash was emptied): the mesh on screen has no files to
      // export any more, but the photo and masks still run.
      const gone = (e as { code?: unknown }).code === 'NOT_FOUND';
      setError(gone ? 'Export failed: this result was deleted from the library (its trash was emptied). Generate it again, then export.' : errorMessage(e, 'Export'));
    } finally {
      setBusy(false);
    }
  };

  const onDragStart = (e: DragEvent, path: string) => {
    const s = shell();
    if (s) { e.preventDefault(); s.startDrag(path); }
    else e.dataTransfer.setData('text/plain', path);
  };

  return (
    // Esc closes it natively (cancel, then close): unmounting on `cancel` removed the dialog before the
    // browser gave the focus back to the button that opened it.
    <dialog ref={dialog} className="export-dialog" aria-labelledby="export-title" onClose={onClose}>
      <h2 id="export-title">Export</h2>
      <p className="muted">{name}</p>
      <fieldset>
        <legend>Formats</legend>
        {(['glb', 'obj', 'ply'] as const).map((f) => (
          <label key={f}><input type="checkbox" checked={formats.has(f)} onChange={() => toggle(f)} />{f.toUpperCase()}</label>
        ))}
      </fieldset>
      <label><input type="checkbox" checked={posed} onChange={(e) => setPosed(e.target.checked)} />Posed (object placed in the photo’s camera frame)</label>
      <div className="param-line">
        <label><input type="checkbox" checked={simplify} onChange={(e) => setSimplify(e.target.checked)} />Simplify to</label>
        <input type="number" min={MIN_TARGET} step={100} value={targetText} disabled={!simplify} aria-label="Target triangles"
          onChange={(e) => setTargetText(e.target.value)}
          onBlur={() => { const n = targetCount(targetText); if (n !== null) setTargetText(String(n)); }} />
        <span className="muted">triangles{triangles ? ` (now ${Math.round(triangles).toLocaleString()})` : ''}</span>
      </div>
      <p className="muted">Files go to this result’s export folder; files of the same name from an earlier export are replaced.</p>
      {error && <p className="error" role="alert">{error}</p>}
      {/* Always in the page, so the change is announced; the button's own text says the same visually. */}
      <p className="sr-only" role="status" data-testid="export-status">{announce}</p>
      {dir && files.length > 0 && <p className="muted">Written to <code>{dir}</code></p>}
      {files.length > 0 && (
        <ul className="exported" aria-label="Exported files" data-testid="exported-files">
          {files.map((f) => (
            <li key={f.path} draggable onDragStart={(e) => onDragStart(e, f.path)}>
              <code>{f.path}</code> <span className="muted">{f.format.toUpperCase()}, {(f.bytes / 1024).toFixed(1)} KiB{f.replaced ? ', replaced the earlier file' : ''}</span>
              {shell() && <button type="button" onClick={() => shell()!.showItemInFolder(f.path)}>Show in folder</button>}
              {!shell() && downloadUrl(api, f.path, dataDir) && (
                <a href={downloadUrl(api, f.path, dataDir)!} download={baseName(f.path)}>Download</a>
              )}
            </li>
          ))}
          {shell() ? <li className="muted">Drag a file into Blender.</li> : null}
        </ul>
      )}
      <div className="dialog-buttons">
        {/* aria-disabled, not disabled: a disabled button drops the keyboard focus to the page's body, and
            it would stay there once the export finished. */}
        <button type="button" className="primary" onClick={() => void run()} aria-disabled={busy}>{busy ? 'Exporting…' : 'Export files'}</button>
        <button type="button" onClick={() => dialog.current?.close()}>Close</button>
      </div>
    </dialog>
  );
}
