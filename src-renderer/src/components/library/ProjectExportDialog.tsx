/**
 * "Export project…" from a project card's menu: writes the project as a zip (`projects.export` without a
 * path: `<data>/exports/projects/<name>.zip`, never replacing an earlier one) as soon as it opens — there
 * is nothing to choose — and then offers the file as ExportDialog offers meshes: a download in the
 * browser host (the host may be another machine), "Show in folder" under Electron.
 */
import { useEffect, useRef, useState } from 'react';
import type { Res, StudioApi } from '../../../../src-shared/api';
import { baseName, downloadUrl, studioShell } from '../exportedFiles';
import { count } from '../../../../src-shared/count';
import { archiveErrorText, formatBytes } from './projectArchive';

type Exported = Res<'projects.export'>;

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

interface Props {
  api: StudioApi;
  /** The host's data folder (app.info): the zip is downloadable when it lies inside it. */
  dataDir: string | null;
  project: { id: string; name: string };
  onClose: () => void;
}

export function ProjectExportDialog({ api, dataDir, project, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [result, setResult] = useState<Exported | null>(null);
  const [error, setError] = useState<string | null>(null);
  // One export per opening: StrictMode runs effects twice, and a second call would write "<name>-2.zip".
  const started = useRef(false);
  const mounted = useRef(false);

  useEffect(() => {
    mounted.current = true;
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    if (!started.current) {
      started.current = true;
      api.invoke('projects.export', { projectId: project.id }).then(
        (r) => { if (mounted.current) setResult(r); },
        (e: unknown) => { if (mounted.current) setError(archiveErrorText(e, `Exporting project “${project.name}”`)); },
      );
    }
    return () => { mounted.current = false; };
  }, [api, project]);

  const file = result ? baseName(result.path) : '';
  const folder = result ? result.path.slice(0, result.path.length - file.length).replace(/[\\/]$/, '') : '';
  const shell = studioShell();
  const href = result && !shell ? downloadUrl(api, result.path, dataDir) : null;

  return (
    // Keys stay in the dialog: Esc closes it (not the drawer behind it), letters are not shortcuts here.
    <dialog ref={dialog} className="export-dialog" aria-labelledby="project-export-title" onClose={onClose} onCancel={onClose}
      onKeyDown={(e) => e.stopPropagation()}>
      <h2 id="project-export-title">Export project</h2>
      <p className="muted">{project.name}</p>
      {!result && !error && <p role="status" aria-busy="true">Writing the project archive…</p>}
      {error && <p className="error" role="alert">{error}</p>}
      {result && (
        <>
          <p role="status">
            {/* projects.export counts the bytes put into the zip, not the zip's own (smaller) size. */}
            Wrote <code>{file}</code>: {count(result.files, 'file')}, {formatBytes(result.bytes)} before compression.
          </p>
          <ul className="exported" aria-label="Exported project archive" data-testid="exported-project">
            <li>
              <code>{file}</code> <span className="muted">in {folder}</span>
              {shell && <button type="button" onClick={() => shell.showItemInFolder(result.path)}>Show in folder</button>}
              {href && <a href={href} download={file} aria-label={`Download ${file}`}>Download</a>}
            </li>
          </ul>
          {/* The trash (or a result still running) is left out: said, so a backup is not taken for the whole. */}
          {result.leftOut && <p className="warnings" role="note">{capitalised(result.leftOut)}.</p>}
          <p className="muted">
            Photos, masks, results and meshes, without what is in the trash. In another library: Library → Projects →
            Import project…
          </p>
        </>
      )}
      <div className="dialog-buttons">
        <button type="button" onClick={() => dialog.current?.close()}>Close</button>
      </div>
    </dialog>
  );
}
