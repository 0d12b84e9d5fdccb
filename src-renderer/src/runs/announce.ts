/**
 * What a screen reader hears while a job runs: one polite sentence per quarter of the overall progress
 * (with the stage it is in), not one per percent, which would drown every other announcement.
 */
import { STAGE_LABELS, type ProgressState } from './progressModel';

/** Quarters announced while running: 25 %, 50 %, 75 % (the start and the end have their own status line). */
const MILESTONES = 4;

const quarter = (overall: number) => Math.floor(Math.max(0, Math.min(1, overall)) * MILESTONES);

/**
 * The sentence to announce when progress moves from `prevOverall` to `next`, or null when no milestone was
 * crossed (several crossed at once announce the latest only).
 */
export function progressMilestone(prevOverall: number, next: ProgressState): string | null {
  const q = quarter(next.overall);
  if (q <= quarter(prevOverall) || q <= 0 || q >= MILESTONES) return null;
  // A Compare job's percentage spans the result and its baseline: say which one is running.
  const where = [
    next.variants > 1 ? (next.variant === 0 ? 'the accelerated result' : 'baseline, acceleration off') : null,
    next.current ? STAGE_LABELS[next.current] ?? next.current : null,
  ].filter(Boolean);
  return `Generating: ${(q * 100) / MILESTONES}% done${where.length ? ` (${where.join(', ')})` : ''}.`;
}
