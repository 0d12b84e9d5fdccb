/**
 * Ctrl-C, SIGTERM and SIGHUP for a command that writes files (infer, scene, project export). The first
 * Ctrl-C aborts `signal`: the command stops at its next step and removes what it started (exit 130,
 * nothing written). A second Ctrl-C, or SIGTERM / SIGHUP (`timeout`, `kill`, a closed terminal, a stopped
 * container), cannot wait for that: it runs the cleanups registered with `onExit` (temp files, folders the
 * command made), synchronously, and exits at once with 130 or the shell's 128 + signal number.
 */
import os from 'node:os';
import { EXIT } from './exit-codes';

/** What trapSignals needs of the CLI's streams (run-command's Io). */
interface SignalIo {
  stderr: NodeJS.WritableStream;
  /** Ends the process at once; process.exit unless a test replaces it. */
  exit?: (code: number) => void;
}

export interface SignalTrap {
  /** Aborted by the first signal: pass it to whatever the command runs. */
  signal: AbortSignal;
  /** A synchronous cleanup for an exit at once; they run last registered first (files before their folders). */
  onExit(cleanup: () => void): void;
  /** Remove the handlers (in a finally: the process's default behaviour is back). */
  dispose(): void;
}

/** Install the handlers. `clearLine`: called before a message (a progress bar's line is cleared). */
export function trapSignals(io: SignalIo, clearLine: () => void = () => undefined): SignalTrap {
  const ac = new AbortController();
  const cleanups: (() => void)[] = [];
  const exitNow = (code: number, message: string) => {
    ac.abort();
    clearLine();
    for (const f of cleanups.splice(0).reverse()) {
      try {
        f();
      } catch {
        /* the others still run: leave as little as possible */
      }
    }
    io.stderr.write(message);
    (io.exit ?? process.exit)(code);
  };
  let interrupts = 0;
  const onInt = () => {
    if (++interrupts > 1) return exitNow(EXIT.cancelled, 'fastsam3d: cancelled\n');
    ac.abort();
    clearLine();
    io.stderr.write('fastsam3d: cancelling… (press Ctrl-C again to quit at once)\n');
  };
  const handlers = {
    SIGINT: onInt,
    SIGTERM: () => exitNow(128 + os.constants.signals.SIGTERM, 'fastsam3d: stopped by SIGTERM; its unfinished files were removed\n'),
    SIGHUP: () => exitNow(128 + os.constants.signals.SIGHUP, 'fastsam3d: stopped by SIGHUP; its unfinished files were removed\n'),
  };
  for (const [sig, f] of Object.entries(handlers)) process.on(sig, f);
  return {
    signal: ac.signal,
    onExit: (cleanup) => void cleanups.push(cleanup),
    dispose: () => {
      for (const [sig, f] of Object.entries(handlers)) process.off(sig, f);
    },
  };
}
