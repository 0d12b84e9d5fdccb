/**
 * App settings persisted as settings.json in the data dir. Writes are atomic (temp + rename) so a crash
 * never leaves half a file; an unreadable file is reported and replaced by defaults, keeping a copy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Settings } from '../../src-shared/api/index';
import { makeDirsSync } from '../files/make-dirs';

export const DEFAULT_SETTINGS: Settings = { executionProvider: 'auto', autoRerun: false };

export class SettingsStore {
  private current: Settings;
  readonly file: string;
  /** Set when the file on disk could not be read at open (shown once in the log). */
  readonly loadProblem?: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'settings.json');
    let loaded: Settings = { ...DEFAULT_SETTINGS };
    if (fs.existsSync(this.file)) {
      try {
        loaded = Settings.parse({ ...DEFAULT_SETTINGS, ...JSON.parse(fs.readFileSync(this.file, 'utf8')) });
      } catch (err) {
        const backup = `${this.file}.unreadable-${Date.now()}`;
        fs.copyFileSync(this.file, backup);
        this.loadProblem = `settings.json could not be read (${(err as Error).message}); defaults are used, the old file was kept as ${path.basename(backup)}.`;
        console.warn(`[settings] ${this.loadProblem}`);
      }
    }
    this.current = loaded;
  }

  get(): Settings {
    return { ...this.current };
  }

  update(patch: Partial<Settings>): Settings {
    const next = Settings.parse({ ...this.current, ...patch });
    const tmp = `${this.file}.tmp-${process.pid}`;
    makeDirsSync(path.dirname(this.file));
    fs.writeFileSync(tmp, JSON.stringify(next, null, 2) + '\n');
    fs.renameSync(tmp, this.file);
    this.current = next;
    return this.get();
  }
}
