/**
 * Library drawer: recent results (with thumbnails, speed-up, source image and time), recent images and
 * the projects, with rename, tags and move-to-trash (with Undo) on the cards and on their right-click
 * menu, and the trash below. Opening a result loads its image, masks, method and exact parameters back
 * into the editor and shows its mesh; opening an image starts a new run on it; opening a project shows
 * only its results and images. Projects travel as zip archives: "Import project…" in the Projects heading
 * (or a .zip dropped on the window) and "Export project…" on a project's menu. Cards, trash and the
 * archive pieces: ./library/.
 */
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import type { ImageRecord, ProjectSummary, RunSummary, StudioApi } from '../../../src-shared/api';
import { errorMessage } from '../api/errors';
import { cardLabel, ImageCard, ProjectCard, RunCard } from './library/cards';
import { ImportProjectButton } from './library/ImportProjectButton';
import { ProjectExportDialog } from './library/ProjectExportDialog';
import { archiveErrorText, archiveRefusal, archiveRequestName, importedText, readAsBase64, type HostKind } from './library/projectArchive';
import { TrashSection, type TrashContents } from './library/TrashSection';

interface Props {
  api: StudioApi;
  open: boolean;
  onClose: () => void;
  onOpenRun: (runId: string) => void;
  onOpenImage: (imageId: string) => void;
  /** Bumped when a run finishes, so the list refreshes. */
  refreshKey: number;
  /** The host's data folder (app.info): an exported project zip inside it can be downloaded. */
  dataDir: string | null;
  /** Which host serves the window (app.info); null until known. Decides the largest archive to send. */
  host: HostKind | null;
  /** Project zips dropped on the window: the drawer imports each once, in order, and reports here. */
  droppedArchives: File[];
  onDroppedArchivesTaken: () => void;
  /** Where the focus goes when the drawer closes and nothing held it before (the Library button). */
  fallbackFocus?: RefObject<HTMLElement | null>;
  /** What the editor shows: moving it to the trash says what that means for the work on screen. */
  openInEditor: { imageId: string | null; runIds: string[] };
}

/**
 * The one status line: what the last action did, shown at the top of the drawer or in the trash section
 * (where the action was), with Undo after a move to the trash. A newer action replaces it.
 */
interface Note {
  text: string; where: 'top' | 'trash'; undo?: () => Promise<void>;
  /** After Undo the focus goes to this card (the accessible name of its open button). */
  undoFocus?: string;
}

const stem = (name: string) => name.replace(/\.[a-z0-9]+$/i, '');
/** Projects listed before "All N projects" is pressed. */
const PROJECTS_SHOWN = 6;

export function LibraryDrawer({ api, open, onClose, onOpenRun, onOpenImage, refreshKey, dataDir, host, droppedArchives, onDroppedArchivesTaken, fallbackFocus, openInEditor }: Props) {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [images, setImages] = useState<ImageRecord[]>([]);
  /** Where each listed run came from: "image.png · project" by run id. */
  const [sources, setSources] = useState<Map<string, string>>(new Map());
  const [trash, setTrash] = useState<TrashContents>({ projects: [], images: [], runs: [] });
  const [projects, setProjects] = useState<ProjectSummary[]>([]);
  const [allProjects, setAllProjects] = useState(false);
  /** The project whose results and images alone are shown (null: all of them). */
  const [projectId, setProjectId] = useState<string | null>(null);
  const projectIdRef = useRef(projectId);
  projectIdRef.current = projectId;
  const [query, setQuery] = useState('');
  const [shownQuery, setShownQuery] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<Note | null>(null);
  /** The archive being imported (its file name), or null. */
  const [importing, setImporting] = useState<string | null>(null);
  /** The project whose export dialog is open. */
  const [exporting, setExporting] = useState<{ id: string; name: string } | null>(null);
  const drawer = useRef<HTMLElement>(null);
  const loads = useRef(0);
  /** Projects and images per project, read once per refresh: a search keystroke asks for the runs only. */
  const projectsRef = useRef<ProjectSummary[] | null>(null);
  const imagesByProject = useRef(new Map<string, ImageRecord[]>());
  const queryRef = useRef(query);
  queryRef.current = query;

  /** `full`: the library changed (opened, a run finished, an action here), so projects, images and trash too. */
  const load = useCallback(async (full: boolean) => {
    const seq = ++loads.current;
    const q = queryRef.current;
    try {
      if (full || !projectsRef.current) {
        imagesByProject.current.clear();
        const [projects, t] = await Promise.all([api.invoke('projects.list', {}), api.invoke('trash.list', {})]);
        projectsRef.current = projects;
        setTrash(t);
      }
      const projects = projectsRef.current ?? [];
      const only = projects.some((p) => p.id === projectIdRef.current) ? projectIdRef.current : null;
      const r = await api.invoke('runs.list', { query: q || undefined, limit: 40, projectId: only ?? undefined });
      // Images of the newest projects (or of the one shown) for the grid, and of every project a listed
      // run comes from (names).
      const recent = only ? [only] : projects.slice(0, 6).map((p) => p.id);
      const ids = [...new Set([...recent, ...r.map((x) => x.projectId)])].filter((id) => projects.some((p) => p.id === id));
      const cache = imagesByProject.current;
      const missing = ids.filter((id) => !cache.has(id));
      const lists = await Promise.all(missing.map((id) => api.invoke('images.list', { projectId: id })));
      missing.forEach((id, i) => cache.set(id, lists[i]));
      if (seq !== loads.current) return; // a newer load answered first
      const imageName = new Map(ids.flatMap((id) => cache.get(id) ?? []).map((im) => [im.id, im.name]));
      const projectName = new Map(projects.map((p) => [p.id, p.name]));
      setSources(new Map(r.map((x) => {
        const im = imageName.get(x.imageId);
        const pr = projectName.get(x.projectId);
        return [x.id, [im, pr && (!im || stem(im) !== pr) ? pr : undefined].filter(Boolean).join(' · ')];
      })));
      setRuns(r);
      setProjects(projects);
      if (!only) setProjectId(null);   // the shown project went to the trash
      setShownQuery(q);
      setImages(recent.flatMap((id) => cache.get(id) ?? []).sort((x, y) => y.createdAt.localeCompare(x.createdAt)).slice(0, 24));
      setError(null);
    } catch (e) {
      if (seq === loads.current) setError(errorMessage(e, 'Loading the library'));
    }
  }, [api]);

  // Opening the drawer or a finished run reloads everything; a new search text only the runs.
  const shownRefresh = useRef<number | null>(null);
  useEffect(() => {
    if (!open) { shownRefresh.current = null; setProjectId(null); projectIdRef.current = null; return; }
    const full = shownRefresh.current !== refreshKey;
    shownRefresh.current = refreshKey;
    void load(full);
  }, [open, refreshKey, query, load]);
  // Keyboard users land in the drawer when it opens, and back where they were when it closes: its content
  // (a card just opened, the ✕) is gone then, and the focus went to the page's body with it.
  useEffect(() => {
    if (!open) return;
    const a = document.activeElement;
    const opener = a instanceof HTMLElement && a !== document.body ? a : null;
    const el = drawer.current;
    const fallback = fallbackFocus?.current;
    el?.focus();
    return () => {
      const now = document.activeElement;
      if (now && now !== document.body && !el?.contains(now)) return;
      (opener?.isConnected ? opener : fallback)?.focus();
    };
  }, [open, fallbackFocus]);

  /**
   * Where the focus goes once the reloaded lists are on screen, after an action removed the focused card:
   * a card by its open button's name, or (null) the status line's Undo; else the drawer. Set after the
   * reload, so it renders with the new lists and the effect below finds the card.
   */
  const [focusAfter, setFocusAfter] = useState<{ label: string | null } | null>(null);
  useEffect(() => {
    if (!focusAfter) return;
    const { label } = focusAfter;
    const target = label === null ? drawer.current?.querySelector<HTMLElement>('.lib-status button')
      : [...drawer.current?.querySelectorAll<HTMLElement>('button.card') ?? []].find((b) => b.getAttribute('aria-label') === label);
    (target ?? drawer.current)?.focus();
    setFocusAfter(null);
  }, [focusAfter]);

  const showProject = (id: string | null) => { setProjectId(id); projectIdRef.current = id; void load(false); };

  /**
   * What trashing this item means for the editor, said with the move: the photo open there can no longer
   * be generated from or have masks saved until it is restored; a result on screen stays exportable
   * until the trash is emptied. Empty when the item is not on screen.
   */
  const onScreenNote = async (kind: 'run' | 'image' | 'project', id: string): Promise<string> => {
    const { imageId, runIds } = openInEditor;
    if (kind === 'run') return runIds.includes(id) ? ' It is the result on screen: it can still be exported until the trash is emptied.' : '';
    if (!imageId) return '';
    const holdsPhoto = kind === 'image' ? id === imageId
      : (imagesByProject.current.get(id) ?? await api.invoke('images.list', { projectId: id })).some((im) => im.id === imageId);
    if (!holdsPhoto) return '';
    const what = kind === 'image' ? 'It is the photo open in the editor' : 'It holds the photo open in the editor';
    return ` ${what}: restore it (Undo) to generate from that photo or save its masks again.`;
  };

  const moveToTrash = async (kind: 'run' | 'image' | 'project', id: string, name: string, trashIt: () => Promise<unknown>, restore: () => Promise<unknown>) => {
    try {
      const onScreen = await onScreenNote(kind, id);
      await trashIt();
      setNote({
        where: 'top', text: `Moved ${kind} “${name}” to the trash.${onScreen}`,
        undo: async () => { await restore(); setNote({ where: 'top', text: `Restored ${kind} “${name}”.` }); },
        undoFocus: cardLabel(kind, name),
      });
      setError(null);
    } catch (e) {
      // Nothing moved, so nothing to reload (a reload would clear this message at once).
      setError(errorMessage(e, `Moving the ${kind} to the trash`));
      return;
    }
    await load(true);
    setFocusAfter({ label: null });   // the card (and the focus) went: Undo is the likely next key
  };

  /** One project zip: refused before reading when too large, else sent, and the drawer says what arrived. */
  const importOne = useCallback(async (file: File) => {
    const refused = archiveRefusal(file, host);
    if (refused) { setError(refused); setNote(null); return; }
    setImporting(file.name);
    try {
      const data = await readAsBase64(file);
      const project = await api.invoke('projects.importData', { name: archiveRequestName(file.name), data });
      setNote({ where: 'top', text: importedText(project) });
      setError(null);
      await load(true);
    } catch (e) {
      // The library is unchanged, so there is nothing to reload (a reload would also clear this message).
      setError(archiveErrorText(e, `Importing “${file.name}”`));
      setNote(null);
    }
  }, [api, host, load]);

  // Zips picked or dropped while one is being imported wait their turn (one import at a time, none lost).
  // The flag is set synchronously, so a second click or drop before "Importing…" renders queues too.
  const importQueue = useRef<File[]>([]);
  const importBusy = useRef(false);
  const importArchive = useCallback(async (file: File) => {
    importQueue.current.push(file);
    if (importBusy.current) return;
    importBusy.current = true;
    try {
      for (let next = importQueue.current.shift(); next; next = importQueue.current.shift()) await importOne(next);
    } finally {
      importBusy.current = false;
      setImporting(null);
    }
  }, [importOne]);

  // Zips dropped on the window are imported here, where their results are shown: in order, each File once
  // (an effect can run twice for one list before the emptied one arrives).
  const taken = useRef(new WeakSet<File>());
  useEffect(() => {
    if (!open || droppedArchives.length === 0) return;
    onDroppedArchivesTaken();
    for (const f of droppedArchives) {
      if (taken.current.has(f)) continue;
      taken.current.add(f);
      void importArchive(f);
    }
  }, [open, droppedArchives, onDroppedArchivesTaken, importArchive]);

  /** Back to the project's card when its export dialog closes, so keyboard users keep their place. */
  const closeExport = () => {
    const name = exporting?.name;
    setExporting(null);
    if (name === undefined) return;
    requestAnimationFrame(() => {
      const cards = drawer.current?.querySelectorAll<HTMLButtonElement>('button.card') ?? [];
      [...cards].find((b) => b.getAttribute('aria-label') === cardLabel('project', name))?.focus();
    });
  };

  const undoTrash = async () => {
    if (!note?.undo) return;
    let restored: string | null = null;
    try {
      await note.undo();
      restored = note.undoFocus ?? null;
    } catch (e) {
      setError(errorMessage(e, 'Undoing the move to the trash'));
    }
    await load(true);
    // The Undo button went with the note: back to the restored card, else the drawer.
    setFocusAfter({ label: restored ?? '' });
  };

  if (!open) return null;
  const shown = projects.find((p) => p.id === projectId) ?? null;
  return (
    <aside ref={drawer} className="drawer" aria-label="Library" tabIndex={-1}>
      <header className="panel-head">
        <h2>Library</h2>
        <input type="search" placeholder="Search runs" aria-label="Search runs by name" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="button" onClick={onClose} aria-label="Close library">✕</button>
      </header>
      {error && <p className="error" role="alert">{error}</p>}
      {note?.where === 'top' && (
        <p className="lib-status" role="status">
          {note.text}
          {note.undo && <button type="button" className="link" onClick={() => void undoTrash()}>Undo</button>}
        </p>
      )}
      {shown && (
        <p className="lib-filter" role="status" aria-label="Shown project">
          <span>Project <strong>{shown.name}</strong></span>
          <button type="button" className="link" onClick={() => showProject(null)}>All projects</button>
        </p>
      )}
      <h3>{shown ? 'Results' : 'Recent results'}</h3>
      <ul className="cards">
        {runs.length === 0 && <li className="muted">{shownQuery ? `No runs match “${shownQuery}”.` : shown ? 'No runs in this project yet.' : 'No runs yet.'}</li>}
        {runs.map((r) => (
          <RunCard key={r.id} api={api} run={r} source={sources.get(r.id)} onOpen={() => onOpenRun(r.id)}
            onChanged={(u) => setRuns((list) => list.map((x) => (x.id === u.id ? u : x)))}
            onTrash={() => void moveToTrash('run', r.id, r.name, () => api.invoke('runs.trash', { runId: r.id }), () => api.invoke('runs.restore', { runId: r.id }))} />
        ))}
      </ul>
      <h3>{shown ? 'Images' : 'Recent images'}</h3>
      <ul className="cards grid">
        {images.map((im) => (
          <ImageCard key={im.id} api={api} image={im} onOpen={() => onOpenImage(im.id)}
            onChanged={() => void load(true)}
            onTrash={() => void moveToTrash('image', im.id, im.name, () => api.invoke('images.trash', { imageId: im.id }), () => api.invoke('images.restore', { imageId: im.id }))} />
        ))}
      </ul>
      {!shown && (
        <>
          <div className="lib-section-head">
            <h3>Projects</h3>
            <ImportProjectButton importing={importing} onFile={(f) => void importArchive(f)} />
          </div>
          <ul className="cards">
            {projects.length === 0 && <li className="muted">No projects yet: open a photo, or import a project exported from another library.</li>}
            {(allProjects ? projects : projects.slice(0, PROJECTS_SHOWN)).map((p) => (
              <ProjectCard key={p.id} api={api} project={p} onOpen={() => showProject(p.id)}
                onChanged={() => void load(true)} onExport={() => setExporting({ id: p.id, name: p.name })}
                onTrash={() => void moveToTrash('project', p.id, p.name, () => api.invoke('projects.trash', { projectId: p.id }), () => api.invoke('projects.restore', { projectId: p.id }))} />
            ))}
          </ul>
          {projects.length > PROJECTS_SHOWN && (
            <button type="button" className="link" aria-expanded={allProjects} onClick={() => setAllProjects((a) => !a)}>
              {allProjects ? 'Fewer projects' : `All ${projects.length} projects`}
            </button>
          )}
        </>
      )}
      <TrashSection api={api} trash={trash} note={note?.where === 'trash' ? note.text : null}
        onChanged={async (text) => { setNote(text ? { where: 'trash', text } : null); await load(true); }} />
      {exporting && <ProjectExportDialog api={api} dataDir={dataDir} project={exporting} onClose={closeExport} />}
    </aside>
  );
}
