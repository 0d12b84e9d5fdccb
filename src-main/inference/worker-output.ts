/**
 * What the worker printed last, kept for the message of its crash. A worker that dies loading a native
 * library (a missing CUDA or DirectML DLL, an onnxruntime built for another CPU) says why only on its
 * stderr, and an installed desktop app has no console to show it: the supervisor quotes these lines in
 * the job's error and the "worker down" status, and the desktop app also appends them to a log file.
 */
import { appendFileSync, mkdirSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';

/** Lines quoted in a crash message: enough for a stack's top or a loader error, not a whole log. */
const KEPT_LINES = 12;
const KEPT_CHARS = 2000;
/** A log file this large is emptied when the app starts, so it never grows without bound. */
const LOG_LIMIT_BYTES = 1 << 20;

export class OutputTail {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly logFile?: string) {
    if (!logFile) return;
    try {
      mkdirSync(path.dirname(logFile), { recursive: true });
      if ((statSync(logFile, { throwIfNoEntry: false })?.size ?? 0) > LOG_LIMIT_BYTES) truncateSync(logFile, 0);
      appendFileSync(logFile, `--- inference worker started ${new Date().toISOString()} ---\n`);
    } catch {
      // A log that cannot be written must not stop the worker; the lines are still quoted in messages.
    }
  }

  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) if (line.trim()) this.lines.push(line);
    if (this.lines.length > KEPT_LINES) this.lines.splice(0, this.lines.length - KEPT_LINES);
    if (this.logFile) {
      try {
        appendFileSync(this.logFile, chunk);
      } catch {
        // as above
      }
    }
  }

  /** The last lines printed (the unfinished one too), newest last; '' when it printed nothing. */
  text(): string {
    const all = [...this.lines, ...(this.partial.trim() ? [this.partial] : [])].join('\n');
    return all.length > KEPT_CHARS ? `…${all.slice(all.length - KEPT_CHARS)}` : all;
  }
}
