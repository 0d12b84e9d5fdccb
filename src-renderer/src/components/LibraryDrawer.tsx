/**
 * Library drawer: recent results (with thumbnails, speed-up and schedule) and recent images across
 * projects. Opening a result loads its image, masks, method and exact parameters back into the editor
 * and shows its mesh; opening an image starts a new run on it.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ImageRecord, RunSummary, StudioApi } from '../../../src-shared/api';
import { errorMessage } from '../api/errors';

interface Props {
  api: StudioApi;
  open: boolean;
  onClose: () => void;
  onOpenRun: (runId: string) => void;
  onOpenImage: (imageId: string) => void;
  /** Bumped when a run finishes, so the list refreshes. */
  refreshKey: number;
}

function Thumb({ api, kind, id, alt }: { api: StudioApi; kind: 'image' | 'run'; id: string; alt: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.invoke('thumbnails.get', { kind, id }).then(
      (t) => { if (live && t) setSrc(`data:image/png;base64,${t.png}`); },
      () => { /* a missing thumbnail is not an error worth a banner: the card shows its name */ },
    );
    return () => { live = false; };
  }, [api, kind, id]);
  return src ? <img src={src} alt={alt} width={72} height={72} /> : <div className="thumb-missing" aria-hidden="true" />;
}

export function LibraryDrawer({ api, open, onClose, onOpenRun, onOpenImage, refreshKey }: Props) {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [images, setImages] = useState<ImageRecord[]>([]);
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [r, projects] = await Promise.all([
        api.invoke('runs.list', { query: query || undefined, limit: 40 }),
        api.invoke('projects.list', {}),
      ]);
      setRuns(r);
      const lists = await Promise.all(projects.slice(0, 6).map((p) => api.invoke('images.list', { projectId: p.id })));
      setImages(lists.flat().sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 24));
      setError(null);
    } catch (e) {
      setError(errorMessage(e, 'Loading the library'));
    }
  }, [api, query]);

  useEffect(() => { if (open) void load(); }, [open, load, refreshKey]);

  if (!open) return null;
  return (
    <aside className="drawer" aria-label="Library">
      <header className="panel-head">
        <h2>Library</h2>
        <input type="search" placeholder="Search runs" aria-label="Search runs by name" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="button" onClick={onClose} aria-label="Close library">✕</button>
      </header>
      {error && <p className="error" role="alert">{error}</p>}
      <h3>Recent results</h3>
      <ul className="cards">
        {runs.length === 0 && <li className="muted">No runs yet.</li>}
        {runs.map((r) => (
          <li key={r.id}>
            <button type="button" className="card" onClick={() => onOpenRun(r.id)} aria-label={`Open run ${r.name}`}>
              <Thumb api={api} kind="run" id={r.id} alt="" />
              <span className="card-text">
                <strong>{r.name}</strong>
                <span className="muted">{r.method} · seed {r.seed} · {r.status}</span>
                <span className="muted">
                  {r.objectMs !== null ? `${(r.objectMs / 1000).toFixed(2)} s` : ''}
                  {r.speedup !== null ? ` · ${r.speedup.toFixed(2)}×` : ''}
                  {r.quality !== null ? ` · F1 ${r.quality.toFixed(1)}` : ''}
                </span>
              </span>
            </button>
          </li>
        ))}
      </ul>
      <h3>Recent images</h3>
      <ul className="cards grid">
        {images.map((im) => (
          <li key={im.id}>
            <button type="button" className="card" onClick={() => onOpenImage(im.id)} aria-label={`Open image ${im.name}`}>
              <Thumb api={api} kind="image" id={im.id} alt="" />
              <span className="card-text"><strong>{im.name}</strong><span className="muted">{im.width}×{im.height}</span></span>
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
