/**
 * The results of the open photo, newest first, as one row under the viewer: flip between the runs made
 * with different settings without opening the Library. Opening one brings back its masks, method and
 * exact parameters, as the Library does. Baselines are left out (each shows beside its run in Compare).
 */
import { useEffect, useState } from 'react';
import type { RunSummary, StudioApi } from '../../../src-shared/api';
import { Thumb } from './library/cards';
import { speedupWords } from '../runs/compareModel';

/** Runs listed; older ones are in the Library. */
const SHOWN = 12;

interface Props {
  api: StudioApi;
  imageId: string | null;
  /** Bumped when a run finishes, so the row refreshes. */
  refreshKey: number;
  /** The run in the viewer (highlighted). */
  currentRunId: string | null;
  onOpen: (runId: string) => void;
}

/** What tells two runs of one photo apart: name (object · method), pack, seed, time and the quality against its baseline. */
function runLabel(r: RunSummary): string {
  return [
    r.name, r.tuned ? 'tuned values' : null, `${r.packName} ${r.packVersion}`, `seed ${r.seed}`,
    r.objectMs !== null ? `${(r.objectMs / 1000).toFixed(2)} s` : null,
    r.speedup !== null ? speedupWords(r.speedup) : null,
    r.quality !== null ? `F1 ${r.quality.toFixed(1)}` : null,
  ].filter(Boolean).join(' · ');
}

export function PhotoRuns({ api, imageId, refreshKey, currentRunId, onOpen }: Props) {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  useEffect(() => {
    if (!imageId) { setRuns([]); return; }
    let live = true;
    api.invoke('runs.list', { imageId, status: 'succeeded', limit: 50 }).then(
      (list) => {
        if (!live) return;
        const baselines = new Set(list.map((r) => r.baselineRunId).filter(Boolean));
        setRuns(list.filter((r) => !baselines.has(r.id)).slice(0, SHOWN));
      },
      () => { if (live) setRuns([]); }, // the history is a convenience: the Library shows a load error
    );
    return () => { live = false; };
  }, [api, imageId, refreshKey]);

  if (runs.length === 0) return null;
  return (
    <nav className="photo-runs" aria-label="Results of this photo">
      <span className="muted">This photo</span>
      <ul>
        {runs.map((r) => (
          <li key={r.id}>
            <button type="button" onClick={() => onOpen(r.id)} aria-current={r.id === currentRunId ? 'true' : undefined}
              aria-label={`Open result ${runLabel(r)}`} title={runLabel(r)}>
              <Thumb api={api} kind="run" id={r.id} />
              {/* The name, not the method alone: a scene's objects (and runs of one method with other
                  settings or packs) all read "fast-sam3d"; the name says which object, or what the user called it. */}
              <span>{r.name}</span>
              <span className="muted">{r.objectMs !== null ? `${(r.objectMs / 1000).toFixed(2)} s` : ''}{r.speedup !== null ? ` · ${r.speedup.toFixed(1)}× timed once` : ''}{r.tuned ? ' · tuned' : ''}</span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
