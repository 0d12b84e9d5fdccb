/**
 * "Import project…" in the drawer's Projects heading: a file picker for project zips (as "Export
 * project…" writes them). The drawer does the import and says what arrived.
 */
import { useRef } from 'react';

interface Props {
  /** The file being imported, or null when idle. */
  importing: string | null;
  onFile: (file: File) => void;
}

export function ImportProjectButton({ importing, onFile }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const busy = importing !== null;
  return (
    <>
      {/* aria-disabled rather than disabled while busy: a disabled button drops the keyboard focus. */}
      <button type="button" className="lib-import" aria-disabled={busy} aria-busy={busy}
        title="Add a project from a .zip that “Export project…” wrote (on this or another machine)"
        onClick={() => { if (!busy) input.current?.click(); }}>
        {busy ? `Importing “${importing}”…` : 'Import project…'}
      </button>
      <input ref={input} type="file" accept=".zip,application/zip,application/x-zip-compressed" hidden
        aria-label="Project archive to import (.zip)" data-testid="project-archive-input"
        onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) onFile(f); }} />
    </>
  );
}
