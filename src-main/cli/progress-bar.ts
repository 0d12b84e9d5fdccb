/** A one-line progress bar on a terminal (stderr), silent when stderr is not a TTY. */
import type { ProgressEvent } from '../pipeline/progress';

export function progressBar(stream: NodeJS.WriteStream = process.stderr): {
  update: (e: ProgressEvent) => void;
  done: () => void;
} {
  if (!stream.isTTY) return { update: () => {}, done: () => {} };
  let last = 0;
  return {
    update(e) {
      const now = Date.now();
      if (now - last < 80 && e.fraction < 1) return; // keep redraws cheap
      last = now;
      const width = 30;
      const filled = Math.round(e.fraction * width);
      const step = e.step !== undefined && e.steps ? ` ${e.step + 1}/${e.steps}` : '';
      const kind = e.stepKind ? ` ${e.stepKind}` : '';
      const msg = e.message ? ` ${e.message}` : '';
      stream.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(e.fraction * 100).toFixed(0).padStart(3)}% ${e.stage}${step}${kind}${msg}\x1b[K`,
      );
    },
    done() {
      stream.write('\r\x1b[K');
    },
  };
}
