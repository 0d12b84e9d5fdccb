/**
 * Export dialog: formats, posed (camera frame) or object frame, target triangle count, calling
 * `export.run`. Under Electron the written files can be dragged out (into Blender) and shown in their
 * folder through the optional `window.studioShell` preload bridge; in the browser host each file is a
 * download (the host may be another machine).
 */
import { useEffect, useRef, useState, type DragEvent } from 'react';
import type { StudioApi } from '../../../src-shared/api';
import { errorMessage } from '../api/errors';

type Format = 'glb' | 'obj' | 'ply';

/** Preload calls the window uses when present (Electron only); see the report to the foundation owner. */
interface StudioShell {
  startDrag(path: string): void;
  showItemInFolder(path: string): void;
}
const shell = (): StudioShell | undefined => (globalThis as unknown as { studioShell?: StudioShell }).studioShell;

interface Props {
  api: StudioApi;
  /** The host's data folder (app.info): exported files inside it can be downloaded in the browser. */
  dataDir: string | null;
  runId: string;
  name: string;
  triangles: number | null;
  onClose: () => void;
}

/** `file` relative to `dataDir` with forward slashes, or null when it lies elsewhere. */
function insideDataDir(file: string, dataDir: string | null): string | null {
  if (!dataDir) return null;
  const norm = (p: string) => p.replace(/\\/g, '/');
  const root = norm(dataDir).replace(/\/+$/, '') + '/';
  const f = norm(file);
  return f.startsWith(root) ? f.slice(root.length) : null;
}

export function ExportDialog({ api, dataDir, runId, name, triangles, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [formats, setFormats] = useState<Set<Format>>(new Set(['glb']));
  const [posed, setPosed] = useState(false);
  const [simplify, setSimplify] = useState(false);
  const [target, setTarget] = useState(() => Math.max(100, Math.round((triangles ?? 20000) / 2)));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [files, setFiles] = useState<{ path: string; format: string; bytes: number }[]>([]);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  const toggle = (f: Format) => setFormats((s) => { const n = new Set(s); if (n.has(f)) n.delete(f); else n.add(f); return n; });

  const run = async () => {
    if (formats.size === 0) { setError('Choose at least one format (GLB for Blender).'); return; }
    setBusy(true); setError(null);
    try {
      const res = await api.invoke('export.run', {
        runId, formats: [...formats], posed, targetTriangles: simplify ? target : undefined,
      });
      setFiles(res.files);
    } catch (e) {
      setError(errorMessage(e, 'Export'));
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
    <dialog ref={dialog} className="export-dialog" aria-labelledby="export-title" onClose={onClose} onCancel={onClose}>
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
        <input type="number" min={100} step={100} value={target} disabled={!simplify} aria-label="Target triangles"
          onChange={(e) => setTarget(Math.max(100, Math.round(+e.target.value || 100)))} />
        <span className="muted">triangles{triangles ? ` (now ${Math.round(triangles).toLocaleString()})` : ''}</span>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {files.length > 0 && (
        <ul className="exported" aria-label="Exported files" data-testid="exported-files">
          {files.map((f) => (
            <li key={f.path} draggable onDragStart={(e) => onDragStart(e, f.path)}>
              <code>{f.path}</code> <span className="muted">{f.format.toUpperCase()}, {(f.bytes / 1024).toFixed(1)} KiB</span>
              {shell() && <button type="button" onClick={() => shell()!.showItemInFolder(f.path)}>Show in folder</button>}
              {!shell() && insideDataDir(f.path, dataDir) && (
                <a href={api.assetUrl(insideDataDir(f.path, dataDir)!)} download={f.path.split(/[\\/]/).pop()}>Download</a>
              )}
            </li>
          ))}
          {shell() ? <li className="muted">Drag a file into Blender.</li> : null}
        </ul>
      )}
      <div className="dialog-buttons">
        <button type="button" className="primary" onClick={run} disabled={busy}>{busy ? 'Exporting…' : 'Export files'}</button>
        <button type="button" onClick={() => dialog.current?.close()}>Close</button>
      </div>
    </dialog>
  );
}
