/**
 * Cards of the Library drawer: a run card (open, rename, tags, move to trash) and an image card (open,
 * move to trash). The open button and the action buttons are siblings, so an action never opens the item.
 */
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { ImageRecord, RunSummary, StudioApi } from '../../../../src-shared/api';
import { ApiErrorSchema } from '../../../../src-shared/api/common';
import { errorMessage } from '../../api/errors';

export function Thumb({ api, kind, id }: { api: StudioApi; kind: 'image' | 'run'; id: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.invoke('thumbnails.get', { kind, id }).then(
      (t) => { if (live && t) setSrc(`data:image/png;base64,${t.png}`); },
      () => { /* a missing thumbnail is not an error worth a banner: the card shows its name */ },
    );
    return () => { live = false; };
  }, [api, kind, id]);
  return src ? <img src={src} alt="" width={72} height={72} /> : <div className="thumb-missing" aria-hidden="true" />;
}

/** Local short date and time of an ISO timestamp, e.g. "3/14/25, 9:26 AM". */
export function shortTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

/** Why the API refused an edit, said once: the refused field's problem, else the usual error sentence. */
function refusal(err: unknown, action: string): string {
  const e = ApiErrorSchema.safeParse(err);
  if (e.success && e.data.issues?.length) return `${action} failed: ${e.data.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}.`;
  return errorMessage(err, action);
}

/**
 * A text field that edits in place: Enter saves, Esc cancels (without closing the drawer). When `save`
 * throws, its message stays under the field and the field stays open.
 */
function InlineEdit({ initial, label, action, save, onDone }: {
  initial: string; label: string; action: string; save: (value: string) => Promise<void>; onDone: () => void;
}) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const onKeyDown = async (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); onDone(); return; }
    if (e.key !== 'Enter' || busy) return;
    e.preventDefault();
    setBusy(true);
    try {
      await save(value);
      onDone();
    } catch (err) {
      setError(refusal(err, action));
      setBusy(false);
    }
  };
  return (
    <span className="inline-edit">
      <input type="text" aria-label={label} value={value} autoFocus onFocus={(e) => e.target.select()}
        onChange={(e) => { setValue(e.target.value); setError(null); }} onKeyDown={(e) => void onKeyDown(e)} />
      {error ? <span className="error" role="alert">{error}</span> : <span className="muted hint">Enter saves · Esc cancels</span>}
    </span>
  );
}

interface RunCardProps {
  api: StudioApi;
  run: RunSummary;
  /** Where the run came from ("image.png · project"), when the drawer knows it. */
  source?: string;
  onOpen: () => void;
  onTrash: () => void;
  /** After a rename or a tag change: the updated run. */
  onChanged: (run: RunSummary) => void;
}

export function RunCard({ api, run: r, source, onOpen, onTrash, onChanged }: RunCardProps) {
  const [editing, setEditing] = useState<'name' | 'tags' | null>(null);
  const renameButton = useRef<HTMLButtonElement>(null);
  const tagsButton = useRef<HTMLButtonElement>(null);
  // Back to the button that opened the field, so keyboard users keep their place.
  const done = (button: typeof renameButton) => { setEditing(null); requestAnimationFrame(() => button.current?.focus()); };
  const body = (title: ReactNode) => (
    <>
      <Thumb api={api} kind="run" id={r.id} />
      <span className="card-text">
        {title}
        <span className="muted">{source ? `${source} · ` : ''}<time dateTime={r.createdAt}>{shortTime(r.createdAt)}</time></span>
        <span className="muted">
          {r.method} · seed {r.seed} · {r.status}
          {r.objectMs !== null ? ` · ${(r.objectMs / 1000).toFixed(2)} s` : ''}
          {r.speedup !== null ? ` · ${r.speedup.toFixed(2)}×` : ''}
          {r.quality !== null ? ` · F1 ${r.quality.toFixed(1)}` : ''}
        </span>
        {r.tags.length > 0 && (
          <span className="chips" aria-label="Tags">{r.tags.map((t) => <span key={t} className="chip">{t}</span>)}</span>
        )}
      </span>
    </>
  );
  return (
    <li className="lib-item">
      {editing === 'name' ? (
        <div className="card">
          {body(<InlineEdit initial={r.name} label={`New name for run ${r.name}`} action="Renaming the run" onDone={() => done(renameButton)}
            save={async (name) => onChanged(await api.invoke('runs.rename', { runId: r.id, name }))} />)}
        </div>
      ) : (
        <button type="button" className="card" onClick={onOpen} aria-label={`Open run ${r.name}`}>
          {body(<strong>{r.name}</strong>)}
        </button>
      )}
      <span className="card-actions">
        <button type="button" ref={renameButton} onClick={() => setEditing('name')} aria-label={`Rename run ${r.name}`}>Rename</button>
        <button type="button" ref={tagsButton} onClick={() => setEditing('tags')} aria-label={`Edit tags of run ${r.name}`}>Tags</button>
        <button type="button" onClick={onTrash} aria-label={`Move run ${r.name} to trash`}>Trash</button>
      </span>
      {editing === 'tags' && (
        <InlineEdit initial={r.tags.join(', ')} label={`Tags of run ${r.name}, separated by commas`} action="Saving the tags"
          onDone={() => done(tagsButton)}
          save={async (text) => {
            const tags = [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
            onChanged(await api.invoke('runs.setTags', { runId: r.id, tags }));
          }} />
      )}
    </li>
  );
}

export function ImageCard({ api, image: im, onOpen, onTrash, onChanged }: {
  api: StudioApi; image: ImageRecord; onOpen: () => void; onTrash: () => void;
  /** After a rename: the updated image. */
  onChanged: (image: ImageRecord) => void;
}) {
  const [editing, setEditing] = useState(false);
  const renameButton = useRef<HTMLButtonElement>(null);
  const body = (title: ReactNode) => (
    <>
      <Thumb api={api} kind="image" id={im.id} />
      <span className="card-text">{title}<span className="muted">{im.width}×{im.height}</span></span>
    </>
  );
  return (
    <li className="lib-item">
      {editing ? (
        <div className="card">
          {body(<InlineEdit initial={im.name} label={`New name for image ${im.name}`} action="Renaming the image"
            onDone={() => { setEditing(false); requestAnimationFrame(() => renameButton.current?.focus()); }}
            save={async (name) => onChanged(await api.invoke('images.rename', { imageId: im.id, name }))} />)}
        </div>
      ) : (
        <button type="button" className="card" onClick={onOpen} aria-label={`Open image ${im.name}`}>
          {body(<strong>{im.name}</strong>)}
        </button>
      )}
      <span className="card-actions">
        <button type="button" ref={renameButton} onClick={() => setEditing(true)} aria-label={`Rename image ${im.name}`}>Rename</button>
        <button type="button" onClick={onTrash} aria-label={`Move image ${im.name} to trash`}>Trash</button>
      </span>
    </li>
  );
}
