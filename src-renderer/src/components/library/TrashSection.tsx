/**
 * The Library's trash: collapsed behind a toggle with the count; lists trashed runs, images and projects
 * with Restore, and empties the trash behind a second click ("Really empty the trash").
 */
import { useState } from 'react';
import type { Res, StudioApi } from '../../../../src-shared/api';
import { errorMessage } from '../../api/errors';
import { shortTime } from './cards';
import { count as countOf } from '../../../../src-shared/count';

export type TrashContents = Res<'trash.list'>;
type Emptied = Res<'trash.empty'>;


function emptiedText(r: Emptied): string {
  const kept = r.kept.projects + r.kept.images + r.kept.runs;
  return `Deleted ${countOf(r.runs, 'run')}, ${countOf(r.images, 'image')} and ${countOf(r.projects, 'project')}.`
    + (kept > 0 ? ` ${kept} kept: a job is still using them.` : '');
}

interface Props {
  api: StudioApi;
  trash: TrashContents;
  /** What the section's last action did (the drawer's one status line, when it belongs here). */
  note: string | null;
  /** After a restore or after emptying: say what happened (null: nothing to say) and reload the drawer. */
  onChanged: (note: string | null) => Promise<void>;
}

export function TrashSection({ api, trash, note, onChanged }: Props) {
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const count = trash.runs.length + trash.images.length + trash.projects.length;

  const act = async (what: string, call: () => Promise<unknown>, done?: (r: unknown) => string) => {
    try {
      const r = await call();
      setError(null);
      await onChanged(done ? done(r) : null);
    } catch (e) {
      setError(errorMessage(e, what));
    }
  };
  const restore = (kind: string, name: string, call: () => Promise<unknown>) => (
    <button type="button" onClick={() => void act(`Restoring the ${kind}`, call, () => `Restored ${kind} “${name}”.`)}
      aria-label={`Restore ${kind} ${name}`}>Restore</button>
  );
  const emptyTrash = () => {
    if (!confirming) { setConfirming(true); setError(null); return; }
    setConfirming(false);
    void act('Emptying the trash', () => api.invoke('trash.empty', {}), (r) => emptiedText(r as Emptied));
  };

  return (
    <section className="trash" aria-label="Trash">
      <h3>
        <button type="button" className="trash-toggle" aria-expanded={open} onClick={() => { setOpen((o) => !o); setConfirming(false); }}>
          {open ? '▾' : '▸'} Trash ({count})
        </button>
      </h3>
      {open && (
        <>
          {count === 0 && <p className="muted">The trash is empty.</p>}
          <ul className="trash-list">
            {trash.runs.map((r) => (
              <li key={`run-${r.id}`}>
                <span className="trash-name"><strong>{r.name}</strong> <span className="muted">run · {shortTime(r.createdAt)}</span></span>
                {restore('run', r.name, () => api.invoke('runs.restore', { runId: r.id }))}
              </li>
            ))}
            {trash.images.map((im) => (
              <li key={`image-${im.id}`}>
                <span className="trash-name"><strong>{im.name}</strong> <span className="muted">image, with its runs</span></span>
                {restore('image', im.name, () => api.invoke('images.restore', { imageId: im.id }))}
              </li>
            ))}
            {trash.projects.map((p) => (
              <li key={`project-${p.id}`}>
                <span className="trash-name"><strong>{p.name}</strong> <span className="muted">project, with its images and runs</span></span>
                {restore('project', p.name, () => api.invoke('projects.restore', { projectId: p.id }))}
              </li>
            ))}
          </ul>
          <p className="trash-actions">
            <button type="button" className={confirming ? 'danger' : undefined} disabled={count === 0 && !confirming} onClick={emptyTrash}>
              {confirming ? 'Really empty the trash' : 'Empty trash'}
            </button>
            {confirming && <button type="button" onClick={() => setConfirming(false)}>Keep it</button>}
            {confirming && <span className="muted">Deletes these files for good.</span>}
          </p>
        </>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      {note && <p className="muted" role="status">{note}</p>}
    </section>
  );
}
