/**
 * What the Electron app tells the user when it cannot start (a desktop app has no console to read),
 * and the question asked before quitting while jobs run or wait.
 */
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LibraryError } from '../../src-main/library/errors';
import { quitQuestion, startupErrorMessage, unfinishedJobs } from '../../src-main/app/startup';

const DIR = path.join(os.tmpdir(), 'Fast-SAM3D Studio');
const errno = (code: string, message = `${code}: failed`) => Object.assign(new Error(message), { code });

describe('startupErrorMessage', () => {
  it.each([
    ['EACCES', /Cannot write to the data folder .*Fast-SAM3D Studio \(no permission\)\. .*FASTSAM3D_DATA_DIR/],
    ['EROFS', /read-only file system/],
    ['ENOTDIR', /is a file, not a folder/],
    ['EEXIST', /is a file, not a folder/],
    ['ENOSPC', /disk holding the data folder .* is full/],
  ])('%s names the folder and what to do', (code, message) => {
    const m = startupErrorMessage(errno(code), DIR);
    expect(m.title).toBe('Fast-SAM3D Studio could not start');
    expect(m.message).toMatch(message);
    expect(m.message).toContain(DIR);
  });

  it('keeps the library\'s own message (it says what to do) and adds the folder', () => {
    const m = startupErrorMessage(new LibraryError('NEWER_DATABASE', 'The library was written by a newer version; update the app.'), DIR);
    expect(m.message).toBe(`The library was written by a newer version; update the app.\n\nData folder: ${DIR}`);
  });

  it('points a native module built for the wrong ABI to npm run setup', () => {
    const m = startupErrorMessage(new Error('better_sqlite3.node was compiled against a different Node.js version using NODE_MODULE_VERSION 115.'), DIR);
    expect(m.message).toMatch(/npm run setup/);
  });

  it('shows anything else as it is, with the folder', () => {
    expect(startupErrorMessage(new Error('boom'), DIR).message).toBe(`boom\n\nData folder: ${DIR}`);
    expect(startupErrorMessage('plain string', DIR).message).toContain('plain string');
    expect(startupErrorMessage(undefined, DIR).message).toContain('undefined');
  });
});

describe('quitQuestion', () => {
  it('asks nothing when no job runs or waits', () => {
    expect(quitQuestion([])).toBeNull();
    expect(quitQuestion([{ status: 'succeeded' }, { status: 'failed' }, { status: 'cancelled' }])).toBeNull();
  });

  it('counts running and waiting jobs', () => {
    const jobs = [{ status: 'running' }, { status: 'queued' }, { status: 'queued' }, { status: 'succeeded' }];
    expect(unfinishedJobs(jobs)).toEqual({ running: 1, queued: 2 });
    expect(quitQuestion(jobs)?.message).toBe('1 job is running and 2 jobs are waiting. Quitting cancels them; results already finished are kept in the library.');
    expect(quitQuestion([{ status: 'running' }])?.message).toMatch(/^1 job is running\. Quitting cancels it;/);
  });
});
