/**
 * The worker's side of its link to the main side: Electron's utilityProcess gives `process.parentPort`
 * (MessagePort-style events), Node's fork gives `process.send` / 'message'. Same interface either way.
 */
export interface WorkerChannel {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called when the main side went away; the worker should exit. */
  onDisconnect(listener: () => void): void;
}

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

export function connectToParent(): WorkerChannel {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      post: (m) => parentPort.postMessage(m),
      onMessage: (l) => parentPort.on('message', (e) => l(e.data)),
      // utilityProcess children are killed with their parent; nothing to watch.
      onDisconnect: () => {},
    };
  }
  if (typeof process.send !== 'function') {
    throw new Error('The inference worker must be started by the app (fork or utilityProcess), not directly.');
  }
  return {
    // With a callback a failed send (EPIPE: the host was killed) is not an unhandled 'error' event; the
    // 'disconnect' that follows makes the worker exit.
    post: (m) => { if (process.connected) process.send!(m as object, undefined, undefined, () => {}); },
    onMessage: (l) => process.on('message', l),
    onDisconnect: (l) => process.on('disconnect', l),
  };
}
