/**
 * Cards of the Library drawer: runs (open, rename, tags, move to trash), images and projects (open,
 * rename, move to trash; projects also export from their menu). Each is one LibraryCard: the open button and the action buttons are siblings,
 * so an action never opens the item, and the same actions are on its right-click menu.
 */
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import type { ImageRecord, ProjectSummary, RunSummary, StudioApi } from '../../../../src-shared/api';
import { refusal, sortTags } from './cardText';
import { ContextMenu, type MenuItem } from './ContextMenu';
import { count } from '../../../../src-shared/count';

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

/** A card's accessible name: what focus returns to after Undo or Export, found by it. */
export const cardLabel = (kind: string, name: string): string => `Open ${kind} ${name}`;

/** Local short date and time of an ISO timestamp, e.g. "3/14/25, 9:26 AM". */
export function shortTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
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

/** An edit a card offers: a button that opens an in-place field (Rename replaces the title; Tags goes below). */
interface CardEdit {
  /** Button text, also the menu item. */
  button: string;
  /** The button's accessible name, e.g. "Rename run mug". */
  aria: string;
  /** The field's accessible name. */
  field: string;
  /** What failed, for the refusal message ("Renaming the run"). */
  action: string;
  initial: string;
  save: (value: string) => Promise<void>;
  inTitle?: boolean;
}

interface LibraryCardProps {
  /** "run", "image" or "project": in the accessible names ("Open run mug"). */
  kind: string;
  name: string;
  thumb: ReactNode;
  /** Lines under the name. */
  details: ReactNode;
  onOpen: () => void;
  edits: CardEdit[];
  onTrash: () => void;
  /** Menu-only actions (no button on the card), listed before "Move to trash". */
  menuExtras?: MenuItem[];
}

function LibraryCard({ kind, name, thumb, details, onOpen, edits, onTrash, menuExtras = [] }: LibraryCardProps) {
  const [editing, setEditing] = useState<number | null>(null);
  const [menuAt, setMenuAt] = useState<{ x: number; y: number } | null>(null);
  const editButtons = useRef<(HTMLButtonElement | null)[]>([]);
  const openButton = useRef<HTMLButtonElement>(null);
  // Back to the button that opened the field, so keyboard users keep their place.
  const done = (i: number) => { setEditing(null); requestAnimationFrame(() => editButtons.current[i]?.focus()); };
  const closeMenu = useCallback((refocus: boolean) => {
    setMenuAt(null);
    if (refocus) requestAnimationFrame(() => openButton.current?.focus());
  }, []);
  const onContextMenu = (e: MouseEvent) => {
    if ((e.target as HTMLElement).closest('input')) return;   // a text field keeps its own menu (paste)
    e.preventDefault();
    setMenuAt({ x: e.clientX, y: e.clientY });
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'ContextMenu' && !(e.key === 'F10' && e.shiftKey)) return;
    e.preventDefault();
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
    setMenuAt({ x: r.left + 16, y: r.bottom - 4 });
  };
  const titleEdit = editing !== null && edits[editing]?.inTitle ? editing : null;
  const belowEdit = editing !== null && !edits[editing]?.inTitle ? editing : null;
  const field = (i: number) => {
    const ed = edits[i];
    return <InlineEdit initial={ed.initial} label={ed.field} action={ed.action} save={ed.save} onDone={() => done(i)} />;
  };
  const content = (title: ReactNode) => <>{thumb}<span className="card-text">{title}{details}</span></>;
  return (
    <li className="lib-item" onContextMenu={onContextMenu}>
      {titleEdit !== null ? (
        <div className="card">{content(field(titleEdit))}</div>
      ) : (
        <button type="button" ref={openButton} className="card" onClick={onOpen} onKeyDown={onKeyDown}
          aria-label={cardLabel(kind, name)} aria-haspopup="menu">
          {content(<strong title={name}>{name}</strong>)}
        </button>
      )}
      <span className="card-actions">
        {edits.map((ed, i) => (
          <button key={ed.button} type="button" ref={(el) => { editButtons.current[i] = el; }} onClick={() => setEditing(i)} aria-label={ed.aria}>{ed.button}</button>
        ))}
        <button type="button" onClick={onTrash} aria-label={`Move ${kind} ${name} to trash`}>Trash</button>
      </span>
      {belowEdit !== null && field(belowEdit)}
      {menuAt && (
        <ContextMenu label={`Actions for ${kind} ${name}`} at={menuAt} onClose={closeMenu} items={[
          { label: 'Open', run: onOpen },
          ...edits.map((ed, i) => ({ label: `${ed.button}…`, run: () => setEditing(i) })),
          ...menuExtras,
          { label: 'Move to trash', run: onTrash },
        ]} />
      )}
    </li>
  );
}

interface CardProps<T> {
  api: StudioApi;
  onOpen: () => void;
  onTrash: () => void;
  /** After a rename or a tag change: the updated item. */
  onChanged: (item: T) => void;
}

export function RunCard({ api, run: r, source, onOpen, onTrash, onChanged }: CardProps<RunSummary> & {
  run: RunSummary;
  /** Where the run came from ("image.png · project"), when the drawer knows it. */
  source?: string;
}) {
  return (
    <LibraryCard kind="run" name={r.name} thumb={<Thumb api={api} kind="run" id={r.id} />} onOpen={onOpen} onTrash={onTrash}
      details={<>
        {/* One line, ellipsized: a long unbroken photo or project name ran under the buttons. */}
        <span className="muted line" title={`${source ? `${source} · ` : ''}${shortTime(r.createdAt)}`}>
          {source ? `${source} · ` : ''}<time dateTime={r.createdAt}>{shortTime(r.createdAt)}</time>
        </span>
        <span className="muted">
          {methodLabel(r)} · seed {r.seed} · {r.status}
          {r.objectMs !== null ? ` · ${(r.objectMs / 1000).toFixed(2)} s` : ''}
          {/* One wall-clock pair: Compare shows the pass ratio, the same on any machine. */}
          {r.speedup !== null ? ` · ${r.speedup.toFixed(2)}× timed once` : ''}
          {r.quality !== null ? ` · F1 ${r.quality.toFixed(1)}` : ''}
        </span>
        {r.tags.length > 0 && (
          <span className="chips" aria-label="Tags">{sortTags(r.tags).map((t) => <span key={t} className="chip" title={t}>{t}</span>)}</span>
        )}
      </>}
      edits={[
        {
          button: 'Rename', aria: `Rename run ${r.name}`, field: `New name for run ${r.name}`, action: 'Renaming the run', initial: r.name, inTitle: true,
          save: async (name) => onChanged(await api.invoke('runs.rename', { runId: r.id, name })),
        },
        {
          button: 'Tags', aria: `Edit tags of run ${r.name}`, field: `Tags of run ${r.name}, separated by commas`, action: 'Saving the tags', initial: sortTags(r.tags).join(', '),
          save: async (text) => {
            const tags = [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
            onChanged(await api.invoke('runs.setTags', { runId: r.id, tags }));
          },
        },
      ]} />
  );
}

export function ImageCard({ api, image: im, onOpen, onTrash, onChanged }: CardProps<ImageRecord> & { image: ImageRecord }) {
  return (
    <LibraryCard kind="image" name={im.name} thumb={<Thumb api={api} kind="image" id={im.id} />} onOpen={onOpen} onTrash={onTrash}
      details={<span className="muted">{im.width}×{im.height}</span>}
      edits={[{
        button: 'Rename', aria: `Rename image ${im.name}`, field: `New name for image ${im.name}`, action: 'Renaming the image', initial: im.name, inTitle: true,
        save: async (name) => onChanged(await api.invoke('images.rename', { imageId: im.id, name })),
      }]} />
  );
}

/** "fast-sam3d", or "fast-sam3d, tuned" when the run changed the preset's values (two runs otherwise read alike). */
export const methodLabel = (r: Pick<RunSummary, 'method' | 'tuned'>): string => (r.tuned ? `${r.method}, tuned` : r.method);


/** A project: opening it shows only its results and images in the drawer; its menu also exports it as a zip. */
export function ProjectCard({ api, project: p, onOpen, onTrash, onChanged, onExport }: CardProps<ProjectSummary> & {
  project: ProjectSummary;
  onExport: () => void;
}) {
  return (
    <LibraryCard kind="project" name={p.name} onOpen={onOpen} onTrash={onTrash} menuExtras={[{ label: 'Export project…', run: onExport }]}
      thumb={p.cover ? <Thumb api={api} kind={p.cover.kind} id={p.cover.id} /> : <div className="thumb-missing" aria-hidden="true" />}
      details={<span className="muted">{count(p.images, 'image')} · {count(p.runs, 'result')} · <time dateTime={p.updatedAt}>{shortTime(p.updatedAt)}</time></span>}
      edits={[{
        button: 'Rename', aria: `Rename project ${p.name}`, field: `New name for project ${p.name}`, action: 'Renaming the project', initial: p.name, inTitle: true,
        save: async (name) => onChanged({ ...p, ...(await api.invoke('projects.rename', { projectId: p.id, name })) }),
      }]} />
  );
}
