/**
 * Schema migrations of the library database. `PRAGMA user_version` holds the number of migrations
 * applied; migration i (1-based) takes a database at version i-1 to version i. Migrations are append-only:
 * never edit a shipped one, add a new one (and a fixture for it in test/library/migrations.test.ts).
 */
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'projects, images, masks, runs, run masks, artefacts',
    up(db) {
      db.exec(`
        CREATE TABLE projects (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
        CREATE TABLE images (
          id TEXT PRIMARY KEY,
          project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
          name TEXT NOT NULL,
          file TEXT NOT NULL,
          sha256 TEXT NOT NULL,
          bytes INTEGER NOT NULL,
          width INTEGER NOT NULL,
          height INTEGER NOT NULL,
          created_at TEXT NOT NULL
        );
        CREATE TABLE masks (
          id TEXT PRIMARY KEY,
          image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
          name TEXT NOT NULL,
          file TEXT NOT NULL,
          sha256 TEXT NOT NULL,
          bytes INTEGER NOT NULL,
          area INTEGER NOT NULL,
          created_at TEXT NOT NULL
        );
        CREATE TABLE runs (
          id TEXT PRIMARY KEY,
          project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
          image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
          status TEXT NOT NULL CHECK (status IN ('queued','running','succeeded','failed','cancelled')),
          kind TEXT NOT NULL CHECK (kind IN ('object','scene')),
          job_id TEXT,
          pack_id TEXT NOT NULL,
          pack_name TEXT NOT NULL,
          pack_version TEXT NOT NULL,
          method TEXT NOT NULL,
          params_json TEXT NOT NULL,
          seed INTEGER NOT NULL,
          execution_provider TEXT NOT NULL,
          app_version TEXT NOT NULL,
          report_json TEXT,
          error TEXT,
          object_ms REAL,
          created_at TEXT NOT NULL,
          started_at TEXT,
          finished_at TEXT
        );
        CREATE TABLE run_masks (
          run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          mask_id TEXT NOT NULL REFERENCES masks(id) ON DELETE CASCADE,
          position INTEGER NOT NULL,
          PRIMARY KEY (run_id, position)
        );
        CREATE TABLE artefacts (
          id TEXT PRIMARY KEY,
          run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          kind TEXT NOT NULL CHECK (kind IN ('glb','obj','ply','thumbnail')),
          file TEXT NOT NULL,
          sha256 TEXT NOT NULL,
          bytes INTEGER NOT NULL,
          created_at TEXT NOT NULL
        );
        CREATE INDEX images_project ON images(project_id);
        CREATE INDEX masks_image ON masks(image_id);
        CREATE INDEX runs_project ON runs(project_id);
        CREATE INDEX artefacts_run ON artefacts(run_id);
      `);
    },
  },
  {
    version: 2,
    description: 'names of runs, tags, trash (soft delete)',
    up(db) {
      db.exec(`
        ALTER TABLE runs ADD COLUMN name TEXT NOT NULL DEFAULT '';
        ALTER TABLE projects ADD COLUMN deleted_at TEXT;
        ALTER TABLE images ADD COLUMN deleted_at TEXT;
        ALTER TABLE runs ADD COLUMN deleted_at TEXT;
        CREATE TABLE project_tags (
          project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
          tag TEXT NOT NULL COLLATE NOCASE,
          PRIMARY KEY (project_id, tag)
        );
        CREATE TABLE run_tags (
          run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          tag TEXT NOT NULL COLLATE NOCASE,
          PRIMARY KEY (run_id, tag)
        );
        CREATE INDEX project_tags_tag ON project_tags(tag);
        CREATE INDEX run_tags_tag ON run_tags(tag);
      `);
      // Runs recorded before names existed get "<method> run" so the grid never shows an empty title.
      db.exec(`UPDATE runs SET name = method || ' run' WHERE name = ''`);
    },
  },
  {
    version: 3,
    description: 'baseline link, speed-up, quality, schedule summary, image thumbnails',
    up(db) {
      db.exec(`
        ALTER TABLE runs ADD COLUMN baseline_run_id TEXT REFERENCES runs(id) ON DELETE SET NULL;
        ALTER TABLE runs ADD COLUMN speedup REAL;
        ALTER TABLE runs ADD COLUMN quality REAL;
        ALTER TABLE runs ADD COLUMN metrics_json TEXT;
        ALTER TABLE runs ADD COLUMN schedule_json TEXT;
        ALTER TABLE runs ADD COLUMN input_key TEXT NOT NULL DEFAULT '';
        ALTER TABLE images ADD COLUMN thumb_file TEXT;
        CREATE INDEX runs_created ON runs(created_at);
        CREATE INDEX runs_baseline ON runs(baseline_run_id);
        CREATE INDEX runs_input_key ON runs(input_key);
      `);
      // input_key = same pack, image, masks and seed: the runs that can serve as each other's baseline.
      db.exec(`
        UPDATE runs SET input_key = pack_id || '|' || image_id || '|' ||
          COALESCE((SELECT group_concat(mask_id, ',') FROM (SELECT mask_id FROM run_masks
                    WHERE run_masks.run_id = runs.id ORDER BY position)), '') || '|' || seed
      `);
      // Old runs kept their report: lift the object time's schedule summary out of it where present.
      const rows = db.prepare(`SELECT id, report_json FROM runs WHERE report_json IS NOT NULL`).all() as {
        id: string; report_json: string;
      }[];
      const update = db.prepare(`UPDATE runs SET schedule_json = ? WHERE id = ?`);
      for (const row of rows) {
        try {
          const report = JSON.parse(row.report_json) as { schedules?: unknown };
          if (report.schedules !== undefined) update.run(JSON.stringify(report.schedules), row.id);
        } catch {
          // A malformed report stays as it is; the run is still listed, just without a schedule.
        }
      }
    },
  },
  {
    version: 4,
    description: 'indexes for sorting the results grid by speed-up and quality',
    up(db) {
      db.exec(`
        CREATE INDEX runs_speedup ON runs(speedup);
        CREATE INDEX runs_quality ON runs(quality);
        CREATE INDEX runs_status ON runs(status);
      `);
    },
  },
  {
    version: 5,
    description: 'the masks fit to mask counted beside a run (the thing in front, the other objects of its job)',
    up(db) {
      // Kept so that duplicating a run fits its object to the same masks (runs.duplicate).
      db.exec(`
        CREATE TABLE run_other_masks (
          run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          mask_id TEXT NOT NULL REFERENCES masks(id) ON DELETE CASCADE,
          position INTEGER NOT NULL,
          PRIMARY KEY (run_id, position)
        );
        CREATE INDEX run_other_masks_mask ON run_other_masks(mask_id);
      `);
    },
  },
  {
    version: 6,
    description: 'input keys with the steps and CFG strengths a run used and the masks fit to mask counted',
    up(db) {
      const rows = db
        .prepare(
          `SELECT id, pack_id, image_id, seed, params_json,
             (SELECT group_concat(mask_id, ',') FROM (SELECT mask_id FROM run_masks m WHERE m.run_id = r.id ORDER BY position)) AS mask_ids,
             (SELECT group_concat(mask_id, ',') FROM run_other_masks o WHERE o.run_id = r.id) AS other_ids
           FROM runs r`,
        )
        .all() as { id: string; pack_id: string; image_id: string; seed: number; params_json: string; mask_ids: string | null; other_ids: string | null }[];
      const update = db.prepare(`UPDATE runs SET input_key = ? WHERE id = ?`);
      const params = new Map<string, Record<string, unknown>>();
      for (const r of rows) {
        try {
          params.set(r.id, JSON.parse(r.params_json) as Record<string, unknown>);
        } catch {
          continue; // unreadable parameters: the old key stays
        }
        update.run(keyV6(r.pack_id, r.image_id, r.mask_ids ?? '', r.seed, params.get(r.id)!, r.other_ids ? r.other_ids.split(',') : []), r.id);
      }
      // A link made before keys held the steps and CFG may pair runs that ran different ones: where both
      // runs' stored values differ, the link and what was measured against it go (an off run of the
      // same values that finishes later adopts the run again; quality is measured then).
      const links = db.prepare(`SELECT id, baseline_run_id AS base FROM runs WHERE baseline_run_id IS NOT NULL AND method != 'off'`).all() as { id: string; base: string }[];
      const unlink = db.prepare(`UPDATE runs SET baseline_run_id = NULL, speedup = NULL, quality = NULL, metrics_json = NULL WHERE id = ?`);
      for (const l of links) {
        const a = params.get(l.id),
          b = params.get(l.base);
        if (a && b && V6_SAMPLER_KEYS.some((k) => typeof a[k] === 'number' && typeof b[k] === 'number' && a[k] !== b[k])) unlink.run(l.id);
      }
    },
  },
  {
    version: 7,
    description: 'which open library recorded a run still in progress',
    up(db) {
      // "pid:start:instance" of the Library that recorded it (library.ts ownerKey): a run whose owner has
      // gone is interrupted, even while another process keeps the library open. Older rows stay NULL.
      db.exec(`ALTER TABLE runs ADD COLUMN owner TEXT`);
    },
  },
  {
    version: 8,
    description: 'images to check for an EXIF-turned photo recorded at its stored size',
    up(db) {
      // Until now a photo's recorded size was its stored pixels', so a phone's portrait JPEG (landscape
      // pixels, EXIF orientation 6) was recorded landscape while the window and the pipeline show it
      // upright. The rows already there are looked at once, after open (upright-photos.ts); rows added
      // later record the upright size and take the default.
      db.exec(`
        ALTER TABLE images ADD COLUMN orientation_checked INTEGER NOT NULL DEFAULT 1;
        UPDATE images SET orientation_checked = 0;
      `);
    },
  },
];

/** The pack-default sampler settings as of migration 6 (frozen with it: see keyV6). */
const V6_SAMPLER_KEYS = ['ssSteps', 'ssCfgStrength', 'slatSteps', 'slatCfgStrength'];

/**
 * `runs.input_key` as migration 6 defines it; a copy of records.ts runInputKey at that version, so that this
 * migration gives the same keys whatever the app's function becomes later (shipped migrations never change).
 */
function keyV6(packId: string, imageId: string, maskIds: string, seed: number, p: Record<string, unknown>, others: string[]): string {
  const ss = typeof p.ssSamples === 'number' && p.ssSamples !== 1 ? `|ssSamples=${p.ssSamples}` : '';
  const fit = p.fitToMask === true ? `|fitToMask${others.length ? `=${[...others].sort().join(',')}` : ''}` : '';
  const colour = p.colourFromPhoto === true ? '|colourFromPhoto' : '';
  const sampler = V6_SAMPLER_KEYS.filter((k) => typeof p[k] === 'number').map((k) => `|${k}=${p[k] as number}`).join('');
  return `${packId}|${imageId}|${maskIds}|${seed}${ss}${fit}${colour}${sampler}`;
}

export const LATEST_VERSION = MIGRATIONS.length;

/** Apply every migration above the database's version, each in its own transaction. */
export function migrate(db: Database.Database, target = LATEST_VERSION): void {
  let version = db.pragma('user_version', { simple: true }) as number;
  for (const m of MIGRATIONS) {
    if (m.version <= version || m.version > target) continue;
    db.transaction(() => {
      m.up(db);
      // user_version is part of the database header, so it commits atomically with the schema change.
      db.pragma(`user_version = ${m.version}`);
    })();
    version = m.version;
  }
}
