/**
 * Run strip: the main buttons, the pack, one progress bar per stage and the live step strips of the two
 * samplers (F full, c cached, C full with carving — the same letters as the report's schedule pattern).
 */
import { useRef, type RefObject } from 'react';
import type { ProgressState, StepKind } from '../runs/progressModel';
import { phaseLabel, STAGE_LABELS } from '../runs/progressModel';
import type { SamplerDefaults } from '../../../src-shared/params';
import { ExecutionProviderSchema, type ExecutionProvider } from '../../../src-shared/api/jobs';
import { useFocusHandoff } from './focus';

export interface PackOption {
  id: string; label: string; valid: boolean; problems: string[];
  /** The pack's own sampler settings, shown where the user keeps "pack". */
  samplerDefaults?: SamplerDefaults;
}

interface Props {
  packs: PackOption[];
  packId: string | null;
  onPack: (id: string) => void;
  /** The execution provider setting, and the providers this machine's onnxruntime can use. */
  provider: ExecutionProvider;
  usableProviders: string[];
  onProvider: (p: ExecutionProvider) => void;
  canGenerate: boolean;
  generateHint: string | null;
  running: boolean;
  /**
   * Generate and Compare wait (a job of the shown photo is being submitted or runs); `running` when not
   * given. A job of an earlier photo runs on without holding them: the next one queues behind it.
   */
  generateBusy?: boolean;
  hasResult: boolean;
  progress: ProgressState | null;
  status: string | null;
  error: string | null;
  onGenerate: () => void;
  onCancel: () => void;
  onCompare: () => void;
  onExport: () => void;
  /** The Export button, where the focus goes back when the Export dialog closes and nothing else had it. */
  exportButton?: RefObject<HTMLButtonElement | null>;
}

const LETTER: Record<StepKind, string> = { full: 'F', cached: 'c', carved: 'C' };

function StepStrip({ steps, label }: { steps: (StepKind | null)[]; label: string }) {
  const counts = { full: 0, cached: 0, carved: 0 };
  steps.forEach((s) => { if (s) counts[s]++; });
  return (
    <div className="step-strip" role="img" data-testid={`steps-${label}`}
      aria-label={`${label} steps: ${counts.full} full, ${counts.cached} cached, ${counts.carved} carved of ${steps.length}`}>
      {steps.map((s, i) => (
        <span key={i} className={`step ${s ?? 'pending'}`} title={`step ${i + 1}: ${s ?? 'pending'}`}>{s ? LETTER[s] : ''}</span>
      ))}
    </div>
  );
}

/** A progress bar that reads the same in every theme (the native one is barely visible on dark). */
function Bar({ value, label, className }: { value: number; label: string; className?: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div className={`bar${className ? ` ${className}` : ''}`} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
      <div className="bar-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}

export function RunStrip(p: Props) {
  const pack = p.packs.find((x) => x.id === p.packId);
  const generate = useRef<HTMLButtonElement>(null);
  const compare = useRef<HTMLButtonElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const ownExport = useRef<HTMLButtonElement>(null);
  const exportButton = p.exportButton ?? ownExport;
  // Generate and Compare disable themselves while the job runs, Cancel when it ends: the focus goes to the
  // button that is next (Cancel; then Generate again, or Export), not to the page's body.
  const busy = p.generateBusy ?? p.running;
  const generateOff = !p.canGenerate || busy;
  useFocusHandoff(generate, generateOff, () => [cancel.current]);
  useFocusHandoff(compare, generateOff, () => [cancel.current]);
  useFocusHandoff(cancel, !p.running, () => [generate.current, exportButton.current]);
  return (
    <section className="panel run-strip" aria-label="Runs">
      <div className="run-buttons">
        <label htmlFor="pack-select">Model pack</label>
        <select id="pack-select" value={p.packId ?? ''} onChange={(e) => p.onPack(e.target.value)} disabled={busy}>
          {p.packs.length === 0 && <option value="">no packs installed</option>}
          {p.packs.map((x) => <option key={x.id} value={x.id} disabled={!x.valid}>{x.label}{x.valid ? '' : ' (invalid)'}</option>)}
        </select>
        <label htmlFor="provider-select">Runs on</label>
        <select id="provider-select" value={p.provider} onChange={(e) => p.onProvider(e.target.value as ExecutionProvider)} disabled={busy}
          title="Where inference runs: auto picks the GPU when one is usable, else the CPU. A provider that turns out unusable falls back to the CPU with a warning in the run.">
          {ExecutionProviderSchema.options.map((x) => (
            <option key={x} value={x} disabled={x !== 'auto' && x !== 'cpu' && x !== p.provider && !p.usableProviders.includes(x)}>
              {x}{x !== 'auto' && x !== 'cpu' && !p.usableProviders.includes(x) ? ' (not here)' : ''}
            </option>
          ))}
        </select>
        <button ref={generate} type="button" className="primary" onClick={p.onGenerate} disabled={generateOff}
          aria-keyshortcuts="G" title={p.generateHint ?? 'Generate (G)'}>Generate</button>
        <button ref={cancel} type="button" onClick={p.onCancel} disabled={!p.running} aria-keyshortcuts="Escape">Cancel</button>
        <button ref={compare} type="button" onClick={p.onCompare} disabled={generateOff} aria-keyshortcuts="C"
          title="Run with the acceleration-off baseline at the same seed and compare">Compare</button>
        <button ref={exportButton} type="button" onClick={p.onExport} disabled={!p.hasResult || p.running} aria-keyshortcuts="Control+E">Export</button>
        <span className="status" role="status" aria-live="polite">{p.status}</span>
      </div>
      {pack && !pack.valid && <p className="error" role="alert">Pack “{pack.label}” is not usable: {pack.problems.join('; ')}. Pick another pack or rebuild it.</p>}
      {/* Pressing Generate anyway turns the hint into the error: one sentence, said once. */}
      {!p.canGenerate && p.generateHint && !p.running && p.error !== p.generateHint && <p className="muted hint">{p.generateHint}</p>}
      {p.error && <p className="error" role="alert">{p.error}</p>}
      {p.progress && (p.running ? <Stages progress={p.progress} /> : (
        // Once the job ended the same stages, times and step patterns are in the Compare panel: folded
        // here, so the panel keeps its height on a laptop screen (1024×640: 62 px of it were left).
        <details className="stages-done">
          <summary>Stages and steps of the last job</summary>
          <Stages progress={p.progress} />
        </details>
      ))}
    </section>
  );
}

/** One bar per stage, with the samplers' step strips and SLaT's token counts. */
function Stages({ progress }: { progress: ProgressState }) {
  return (
    <div className="stages" data-testid="progress">
      <Bar className="overall" value={progress.overall} label="Overall progress" />
      {/* A Compare job runs the result, then its baseline: the stages below fill once for each. */}
      {phaseLabel(progress) && <span className="muted phase" data-testid="progress-phase">{phaseLabel(progress)}</span>}
      {progress.stages.map((s) => (
        <div key={s.name} className={`stage${progress.current === s.name ? ' current' : ''}${s.done ? ' done' : ''}`}>
          <span className="stage-name">{STAGE_LABELS[s.name] ?? s.name}</span>
          <Bar value={s.fraction} label={`${STAGE_LABELS[s.name] ?? s.name} progress`} />
          {s.steps.length > 0 && <StepStrip steps={s.steps} label={s.name} />}
          {s.tokens && (
            <span className="muted tokens" title="Evaluated: token rows sent to the network, summed over its passes (a guided step runs twice). Carved: tokens left out of full steps, summed over steps.">
              {s.tokens.evaluated.toLocaleString()} tokens evaluated, {s.tokens.carved.toLocaleString()} carved
            </span>
          )}
        </div>
      ))}
    </div>
  );
}
