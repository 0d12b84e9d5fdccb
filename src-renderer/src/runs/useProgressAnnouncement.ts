/**
 * The sentence the window's polite live region says about the running job: a milestone each quarter
 * (progressMilestone), empty between jobs (the run strip's own status says "Running…", "Done: …").
 */
import { useEffect, useRef, useState } from 'react';
import { progressMilestone } from './announce';
import type { ProgressState } from './progressModel';

export function useProgressAnnouncement(progress: ProgressState | null, running: boolean): string {
  const [text, setText] = useState('');
  const last = useRef<{ jobId: string | null; overall: number }>({ jobId: null, overall: 0 });
  useEffect(() => {
    if (!running || !progress) { setText(''); return; }
    const prev = last.current.jobId === progress.jobId ? last.current.overall : 0;
    last.current = { jobId: progress.jobId, overall: progress.overall };
    const said = progressMilestone(prev, progress);
    if (said) setText(said);
  }, [progress, running]);
  return text;
}
