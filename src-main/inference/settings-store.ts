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
    const { settings, problem, partial } = readSettings(this.file);
    this.current = { ...settings };
    if (problem) {
      // Keep the damaged file for the user, under another name so that the next save can take its place.
      // A copy could need space the disk no longer has; a rename needs none and also moves a folder.
      const backup = `${this.file}.unreadable-${Date.now()}`;
      let kept: string;
      try {
        fs.renameSync(this.file, backup);
        kept = `the old file was kept as ${path.basename(backup)}`;
        // What could be kept is saved again, so it is still there at the next start.
        if (partial) {
          try {
            this.save(this.current);
          } catch (err) {
            kept += ` (the repaired settings could not be saved: ${(err as Error).message})`;
          }
        }
      } catch (err) {
        kept = `the old file could not be set aside (${(err as Error).message}), so changes may not be saved until it is removed`;
      }
      this.loadProblem = `settings.json could not be read (${problem}); ${partial ? 'the other settings were kept' : 'defaults are used'}, ${kept}.`;
      console.warn(`[settings] ${this.loadProblem}`);
    }
  }

  get(): Settings {
    return { ...this.current };
  }

  update(patch: Partial<Settings>): Settings {
    const next = Settings.parse({ ...this.current, ...patch });
    this.save(next);
    this.current = next;
    return this.get();
  }

  /** Atomic write (temp + rename). */
  private save(next: Settings): void {
    const tmp = `${this.file}.tmp-${process.pid}`;
    makeDirsSync(path.dirname(this.file));
    try {
      fs.writeFileSync(tmp, JSON.stringify(next, null, 2) + '\n');
      fs.renameSync(tmp, this.file);
    } catch (err) {
      // A full disk fails the write half way: leave neither a partial temp file nor a changed setting.
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }
}

/**
 * The settings in `file`: defaults when it is absent; when it is damaged, what can still be used (every
 * field that is valid on its own: a provider name from a newer version does not reset the default pack)
 * and the problem in one line.
 */
function readSettings(file: string): { settings: Settings; problem?: string; partial?: boolean } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { settings: DEFAULT_SETTINGS };
    return { settings: DEFAULT_SETTINGS, problem: e.message };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { settings: DEFAULT_SETTINGS, problem: `not valid JSON: ${(err as Error).message}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { settings: DEFAULT_SETTINGS, problem: 'not a JSON object' };
  }
  const whole = Settings.safeParse({ ...DEFAULT_SETTINGS, ...json });
  if (whole.success) return { settings: whole.data };
  const kept: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  const bad: string[] = [];
  for (const [key, field] of Object.entries(Settings.shape)) {
    const value = (json as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (field.safeParse(value).success) kept[key] = value;
    else bad.push(`${key} ${JSON.stringify(value)}`);
  }
  const settings = Settings.safeParse(kept);
  if (!settings.success) return { settings: DEFAULT_SETTINGS, problem: 'invalid values' };
  return { settings: settings.data, partial: true, problem: `invalid value${bad.length === 1 ? '' : 's'}: ${bad.join(', ')}` };
}
