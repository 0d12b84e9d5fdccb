/**
 * Start-up and quit decisions of the Electron main process that need no Electron (unit-tested under
 * plain Node in test/app/startup.test.ts): the message a failed start shows the user (a GUI app has no
 * console to print to), and the question asked before quitting while jobs run.
 */
import { LibraryError } from '../library/errors';

export interface UserMessage {
  title: string;
  message: string;
}

const DATA_DIR_HINT = 'Set FASTSAM3D_DATA_DIR to another folder to use a different library.';

/** What to tell the user when the app cannot start with the data folder `dataDir`. */
export function startupErrorMessage(err: unknown, dataDir: string): UserMessage {
  const title = 'Fast-SAM3D Studio could not start';
  const e = (err ?? {}) as NodeJS.ErrnoException;
  const detail = err instanceof Error ? err.message : String(err);
  // The library's own errors (damaged or newer database, …) already say what to do.
  if (err instanceof LibraryError) return { title, message: `${detail}\n\nData folder: ${dataDir}` };
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return { title, message: `Cannot write to the data folder ${dataDir} (${e.code === 'EROFS' ? 'read-only file system' : 'no permission'}). Make it writable, or set FASTSAM3D_DATA_DIR to another folder.` };
    case 'ENOTDIR':
    case 'EEXIST':
      return { title, message: `The data folder ${dataDir} (or a folder above it) is a file, not a folder. ${DATA_DIR_HINT}` };
    case 'ENOSPC':
    case 'EDQUOT':
      return { title, message: `The disk holding the data folder ${dataDir} is full. Free some space and start the app again.` };
    case 'ERR_DLOPEN_FAILED':
      return { title, message: `A native module could not be loaded (${detail}). Reinstall the app; in a checkout run \`npm run setup\`.` };
    default:
      break;
  }
  if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(detail)) {
    return { title, message: `The database module was built for another Node.js/Electron version (${detail}). Run \`npm run setup\` to build it for Electron, or reinstall the app.` };
  }
  return { title, message: `${detail}\n\nData folder: ${dataDir}` };
}

/** Running and waiting jobs, from a jobs.list answer. */
export function unfinishedJobs(jobs: readonly { status: string }[]): { running: number; queued: number } {
  return {
    running: jobs.filter((j) => j.status === 'running').length,
    queued: jobs.filter((j) => j.status === 'queued').length,
  };
}

/** The question to ask before closing the window while jobs run or wait; null when nothing would be lost. */
export function quitQuestion(jobs: readonly { status: string }[]): UserMessage | null {
  const { running, queued } = unfinishedJobs(jobs);
  if (running + queued === 0) return null;
  const parts = [running ? `${running} job${running === 1 ? ' is' : 's are'} running` : '', queued ? `${queued} job${queued === 1 ? ' is' : 's are'} waiting` : '']
    .filter(Boolean);
  return {
    title: 'Quit while jobs run?',
    message: `${parts.join(' and ')}. Quitting cancels ${running + queued === 1 ? 'it' : 'them'}; results already finished are kept in the library.`,
  };
}
