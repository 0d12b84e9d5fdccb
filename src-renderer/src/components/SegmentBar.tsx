/**
 * Controls of the segment tool above the canvas: the pack (when there are several), a toggle that makes
 * plain clicks negative, Accept / Clear, and the status line (encoding time once, then per-click time).
 * Without a usable pack it says where to get one.
 */
import type { Segmenter } from '../segment/useSegment';

function promptSummary({ points, box }: Pick<Segmenter, 'points' | 'box'>): string {
  const pos = points.filter((p) => p.positive).length;
  const parts = [pos && `${pos} include`, points.length - pos && `${points.length - pos} exclude`, box && 'box'].filter(Boolean);
  return parts.length ? parts.join(' · ') : '';
}

/** `onDone`: where the keyboard focus goes after Accept or Clear (both disable themselves): the canvas. */
export function SegmentBar({ segment, onDone }: { segment: Segmenter; onDone: () => void }) {
  const { packs, packId, proposal, status, error, busy, unavailable } = segment;
  if (unavailable) return <p className="segment-bar hint" role="note" data-testid="segment-unavailable">{unavailable}</p>;
  return (
    <div className="segment-bar" role="group" aria-label="Segment tool">
      {/* One compact row (two when there is a pack to choose), so the photo keeps the room at 1024×640. */}
      <div className="toolbar">
        {packs && packs.filter((p) => p.valid).length > 1 && (
          <select value={packId ?? ''} onChange={(e) => segment.setPackId(e.target.value)} aria-label="Segmentation pack" title="Segmentation pack">
            {packs.filter((p) => p.valid).map((p) => <option key={p.id} value={p.id}>{p.name} {p.version}</option>)}
          </select>
        )}
        {/* A mouse click hands the focus to the canvas (e.detail counts clicks; 0 from the keyboard), so
            Enter accepts the proposal next instead of pressing the toggle again. */}
        <button type="button" aria-pressed={segment.negative} aria-label="Negative clicks"
          onClick={(e) => { segment.setNegative(!segment.negative); if (e.detail > 0) onDone(); }}
          title="Make clicks negative (or hold Alt / right-click)">
          Negative
        </button>
        <button type="button" className="primary" onClick={() => { if (segment.accept()) onDone(); }} disabled={!proposal || proposal.area === 0} aria-keyshortcuts="Enter">
          Accept
        </button>
        <button type="button" onClick={() => { segment.clear(); onDone(); }} disabled={!segment.hasPrompts} aria-keyshortcuts="Escape"
          aria-label="Clear prompts" title="Clear prompts (Esc)">Clear</button>
      </div>
      {/* The prompt count and the busy mark have a line of their own, always there: in the buttons' row they
          wrapped onto a new line at the first click and pushed the canvas down under the pointer. */}
      <p className="muted segment-info">
        <span data-testid="segment-prompts">{promptSummary(segment)}</span>
        <span aria-hidden="true" className={busy ? undefined : 'idle'}>…</span>
      </p>
      {error ? <p className="error" role="alert">{error}</p> : (
        <p className="muted segment-status" role="status" data-testid="segment-status"
          data-score={proposal?.score} data-area={proposal?.area} data-ms={proposal?.ms}>
          {status ?? 'Click the object: click = include, Alt/right-click = exclude, drag = box.'}
        </p>
      )}
    </div>
  );
}
