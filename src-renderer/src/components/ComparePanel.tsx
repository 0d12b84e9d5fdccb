/**
 * Compare: the accelerated run against the acceleration-off baseline at the same seed — speed-up,
 * per-stage times and network passes, the step schedules, and quality against the baseline
 * (CD, F1@0.05, vIoU, 3D-IoU) as the library reports them.
 */
import type { RunReport } from '../../../src-shared/report';
import { count } from '../../../src-shared/count';
import { compareReports, formatMs, METRIC_LABELS, readMetrics, speedupFigures } from '../runs/compareModel';
import { STAGE_LABELS, stepsFromPattern } from '../runs/progressModel';
import type { CompareMode } from '../viewer/Viewer';

interface Props {
  report: RunReport;
  baseline: RunReport | null;
  metrics: Record<string, number> | null;
  mode: CompareMode;
  onMode: (m: CompareMode) => void;
  note: string | null;
  /** Names of the objects of the job (several for a scene) and which one is shown. */
  objects: string[];
  objectIndex: number;
  onObject: (i: number) => void;
}

function Pattern({ pattern, label }: { pattern: string; label: string }) {
  return (
    <div className="step-strip small" role="img" aria-label={`${label} schedule ${pattern}`}>
      {stepsFromPattern(pattern).map((s, i) => <span key={i} className={`step ${s}`}>{pattern[i]}</span>)}
    </div>
  );
}

export function ComparePanel({ report, baseline, metrics, mode, onMode, note, objects, objectIndex, onObject }: Props) {
  const c = compareReports(report, baseline);
  const q = readMetrics(metrics);
  const speed = speedupFigures(c);
  return (
    <section className="panel compare" aria-label="Compare with baseline" data-testid="compare-panel">
      <header className="panel-head">
        <h2>{baseline ? `${report.method} vs ${baseline.method}` : `Run: ${report.method}`}</h2>
        {objects.length > 1 && (
          <select aria-label="Object of the scene" value={objectIndex} onChange={(e) => onObject(+e.target.value)}>
            {objects.map((n, i) => <option key={i} value={i}>{n}</option>)}
          </select>
        )}
        {baseline && (
          <div role="radiogroup" aria-label="Compare layout" className="seg">
            <button type="button" role="radio" aria-checked={mode === 'side'} onClick={() => onMode('side')}>Side by side</button>
            <button type="button" role="radio" aria-checked={mode === 'overlay'} onClick={() => onMode('overlay')}>Overlay</button>
          </div>
        )}
      </header>
      {note && <p className="muted">{note}</p>}
      <div className="big-numbers">
        <div><span className="label">Time</span><span className="value">{formatMs(c.totalMs)}</span></div>
        {baseline && <div><span className="label">Baseline</span><span className="value">{formatMs(c.baselineMs)}</span></div>}
        {/* One cell: the pass ratio (the same on every machine) as the figure, the one wall-clock timing
            under it, small and labelled as such. Below 1× the run did more work or took longer than its
            baseline: not in the "good" colour. */}
        {speed.length > 0 && (
          <div data-testid="speedup">
            <span className="label">Speed-up</span>
            <span className={`value ${speed[0].tone}`} data-testid={`speedup-${speed[0].key}`} title={speed[0].title}>
              {speed[0].value}<span className="label" style={{ fontWeight: 400 }}> {speed[0].unit}</span>
            </span>
            {speed.slice(1).map((f) => (
              <span key={f.key} className="label" data-testid={`speedup-${f.key}`} title={f.title}>{f.value} {f.unit}</span>
            ))}
          </div>
        )}
        <div title="Every network pass of the run, condition and decoders included; the speed-up above counts the two samplers' (SS + SLaT), where the accelerations act"><span className="label">Network passes, all stages</span><span className="value">{c.passes}{c.baselinePasses !== null && ` / ${c.baselinePasses}`}</span></div>
        <div title="Spectral-aware token aggregation before the mesh decoder: S = 1 keeps every voxel, S = 2 merges 2×2×2 blocks of a smooth shape (8× fewer tokens)"><span className="label">Aggregation S</span><span className="value">{report.aggregation.factor}</span></div>
        {report.maskFit && (
          <div data-testid="mask-fit" title={`Voxels of the coarse shape that lay outside the masks and were removed (fit to mask)${report.maskFit.otherMasks ? `; ${count(report.maskFit.otherMasks, 'mask')} outside the run counted as possibly in front` : ''}`}>
            <span className="label">Fit to mask</span>
            <span className="value">{report.maskFit.skipped ? 'kept whole' : `−${report.maskFit.removed} of ${report.maskFit.occupied}`}</span>
          </div>
        )}
        {report.photoColour && (
          <div data-testid="photo-colour" title={report.photoColour.fromPhoto === 0
            ? "No part of the mesh as posed lands on its mask, so it kept the model's colours (see the run's warnings)."
            : `Vertices that took the photo's colour where they land on the mask; the others took their neighbours' along the mesh.${report.photoColour.delit ? " The photo's light was taken out." : " The photo's light stayed in: too little of the object was seen, or it showed no lit side, to fit it."}`}>
            <span className="label">Colour from photo</span>
            <span className="value">{report.photoColour.fromPhoto === 0 ? "kept the model's" : `${report.photoColour.fromPhoto} of ${report.photoColour.fromPhoto + report.photoColour.spread}`}</span>
          </div>
        )}
      </div>
      {baseline && (
        <table className="metrics" aria-label="Quality against the baseline">
          <thead><tr>{METRIC_LABELS.map((m) => <th key={m.key} scope="col">{m.label}</th>)}</tr></thead>
          <tbody><tr>{METRIC_LABELS.map((m) => (
            <td key={m.key} title={`${m.better} is better`}>{q[m.key] !== undefined ? q[m.key].toFixed(m.digits) : <span className="muted" title="The host did not report this metric for the run">n/a</span>}</td>
          ))}</tr></tbody>
        </table>
      )}
      <table className="stages-table" aria-label="Per-stage times and network passes">
        <thead><tr><th scope="col">Stage</th><th scope="col">Time</th>{baseline && <th scope="col">Baseline</th>}<th scope="col">{baseline ? 'Passes / base' : 'Passes'}</th></tr></thead>
        <tbody>
          {c.rows.map((r) => (
            <tr key={r.stage}>
              <th scope="row">{STAGE_LABELS[r.stage] ?? r.stage}</th>
              <td>{formatMs(r.ms)}</td>{baseline && <td>{formatMs(r.baselineMs)}</td>}
              <td>{r.passes}{baseline && ` / ${r.baselinePasses}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="schedules">
        <span>SS</span><Pattern pattern={report.schedules.ss.pattern} label="SS" />
        <span>SLaT</span><Pattern pattern={report.schedules.slat.pattern} label="SLaT" />
        <span className="muted schedule-key">one letter per sampling step: F full network pass · c cached (reused, no pass) · C full pass on the carved (fewer) tokens</span>
      </div>
      {report.warnings.length > 0 && <ul className="warnings">{report.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>}
    </section>
  );
}
