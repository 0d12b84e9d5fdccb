/**
 * `fastsam3d project list | export | import` — the project library's archives without a window: move a
 * project to another machine, hand it to a colleague, back it up from a script. The same library the app
 * and the browser host open (their data folder, or --data-dir), and the same export/import code as the
 * window's "Export project…" and "Import project…"; it can run while the app is open (SQLite in WAL mode,
 * and the holder registry keeps crash recovery off the app's runs and files). list and export open the
 * library read-only: they write nothing there, so a library on a read-only disk can be listed and exported.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import type { ProjectSummary } from '../../src-shared/api/library';
import { count } from '../../src-shared/count';
import { defaultDataDir } from '../host/paths';
import { Library, exportProject, importProject } from '../library';
import { exportFileName, leftOutNote, removeTemp, type ExportResult } from '../library/archive';
import { LibraryError } from '../library/errors';
import { UsageError } from './exit-codes';
import type { Io } from './run-command';
import { trapSignals } from './signals';

const HELP = `
<project> is a project's id or its name (not case-sensitive; an ambiguous name lists the matches).
The library is the app's (${defaultDataDir()}), or --data-dir, or FASTSAM3D_DATA_DIR.
list and export only read the library (also on a read-only disk, and while the app is open or writing);
import adds to it.

export --out: a zip file to write, or with --folder the folder to create. An existing folder receives
the export under the project's name: --out ~/Desktop writes ~/Desktop/<name>.zip, and with --folder
~/Desktop/<name>/ (which must be new or empty). A zip already there is replaced only with --replace.
What is in the trash (photos, and results trashed themselves or with their photo) is not exported.

Examples:
  fastsam3d project list
  fastsam3d project export "desk chair"                 (→ <data>/exports/projects/desk_chair.zip)
  fastsam3d project export "desk chair" --out ~/chair.zip --replace
  fastsam3d project export "desk chair" --out ~/Desktop  (→ ~/Desktop/desk_chair.zip)
  fastsam3d project import ~/Downloads/desk_chair.zip
`;

const DATA_DIR_OPTION = ['--data-dir <dir>', 'the library folder (default: the app\'s)'] as const;

/**
 * A failure of the library as the CLI says it. The library's errors say what was wrong, where, and what
 * to do (a full disk, a folder that cannot be written, a library another process is writing, a damaged
 * file): a problem of the user's files or machine, one line, exit 2 as for an output folder that cannot
 * be written. An IO error wrapping something that is not a system error (no errno or SQLite code) is a
 * bug: kept as it is (exit 1, with the stack).
 */
function cliError(err: unknown): unknown {
  if (!(err instanceof LibraryError)) return err;
  if (err.code === 'IO' && err.cause !== undefined && typeof (err.cause as { code?: unknown } | null)?.code !== 'string') return err;
  return new UsageError(err.message);
}

/**
 * The library of `dir` for one command. `read` (list, export): a read-only connection, which writes
 * nothing (no holder entry, no crash recovery, no -wal checkpoint), so it works on a read-only disk and
 * never waits for the write lock of an app that is recording a run. A library of an older version must
 * be upgraded first, which writes: that one is opened read-write, as the app would.
 */
function openLibrary(dir: string, access: 'read' | 'write'): Library {
  try {
    if (access === 'write') return Library.open(dir);
    try {
      return Library.open(dir, { readonly: true });
    } catch (err) {
      // CONFLICT is what a read-only open says of an older schema (and only of that).
      if (!(err instanceof LibraryError && err.code === 'CONFLICT')) throw err;
      try {
        return Library.open(dir);
      } catch (upgradeErr) {
        throw new Error(`it was written by an older version of Fast-SAM3D Studio and must be upgraded once, which writes to it: ${(upgradeErr as Error).message}`);
      }
    }
  } catch (err) {
    throw new UsageError(`cannot open the library: ${(err as Error).message}`);
  }
}

/**
 * Open the library of `dataDir` for one command and close it after, whatever happens. A command that
 * only reads (list, export) refuses a folder without a library rather than creating one there, so a
 * mistyped --data-dir is said, not answered with "no projects".
 */
async function withLibrary<T>(dataDir: string | undefined, access: 'read' | 'write', f: (lib: Library) => T | Promise<T>): Promise<T> {
  const dir = path.resolve(dataDir ?? defaultDataDir());
  if (access === 'read' && !fs.existsSync(path.join(dir, 'library.sqlite'))) {
    throw new UsageError(`there is no library in ${dir} (no library.sqlite): check --data-dir (the app's library is in ${defaultDataDir()})`);
  }
  const lib = openLibrary(dir, access);
  try {
    await lib.uprightOldPhotos(); // sizes an earlier version recorded (read-write opens only; a read-only one leaves them)
    return await f(lib);
  } catch (err) {
    throw cliError(err);
  } finally {
    lib.close();
  }
}

/**
 * Where `--out` puts the export: the path itself, or, when it names a folder that exists, the project's
 * name inside it (`<out>/<name>.zip`, `<out>/<name>/` with --folder), as `cp` puts a file into a folder.
 */
function exportTarget(out: string | undefined, projectName: string, format: 'folder' | 'zip'): string | undefined {
  if (out === undefined) return undefined;
  const resolved = path.resolve(out);
  let isDir = false;
  try {
    isDir = fs.statSync(resolved).isDirectory();
  } catch {
    /* not there yet: the zip or folder to create */
  }
  return isDir ? path.join(resolved, exportFileName(projectName, format)) : resolved;
}

/** The project `ref` names: its id, else the one project of that name (case-insensitive), out of the trash. */
function findProject(lib: Library, ref: string): ProjectSummary {
  const projects = lib.listProjects({});
  const byId = projects.find((p) => p.id === ref);
  if (byId) return byId;
  const named = projects.filter((p) => p.name.toLowerCase() === ref.trim().toLowerCase());
  if (named.length === 1) return named[0];
  if (named.length > 1) {
    throw new UsageError(`${named.length} projects are named "${ref}"; give one's id:\n${named.map(describeProject).join('\n')}`);
  }
  throw new UsageError(`no project "${ref}" in ${lib.dataDir}; \`fastsam3d project list\` shows them`);
}

function describeProject(p: ProjectSummary): string {
  return `  ${p.id}  ${p.name}  (${count(p.images, 'photo')}, ${count(p.runs, 'result')}; updated ${p.updatedAt.slice(0, 16).replace('T', ' ')})`;
}


function megabytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} kB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function addProjectCommand(program: Command, io: Io): void {
  const project = program.command('project').description('the project library: list, export and import projects').addHelpText('after', HELP);

  project
    .command('list')
    .description('the projects in the library (id, name, photos, results)')
    .option(...DATA_DIR_OPTION)
    .option('--json', 'print them as JSON')
    .action((o: { dataDir?: string; json?: boolean }) =>
      withLibrary(o.dataDir, 'read', (lib) => {
        const projects = lib.listProjects({});
        if (o.json) io.stdout.write(JSON.stringify(projects, null, 2) + '\n');
        else if (projects.length === 0) io.stdout.write(`no projects in ${lib.dataDir}\n`);
        else io.stdout.write(projects.map(describeProject).join('\n') + '\n');
      }),
    );

  project
    .command('export <project>')
    .description('write a project (photos, masks, results, meshes) as a zip another library can import')
    .option('--out <path>', 'the zip to write (with --folder: the folder); an existing folder receives <name>.zip (<name>/ with --folder); default <data>/exports/projects/<name>.zip')
    .option('--folder', 'write a folder instead of a zip (for projects of more than 65,535 files; import takes up to 4 GiB either way)')
    .option('--replace', 'replace a zip already there')
    .option(...DATA_DIR_OPTION)
    .action((ref: string, o: { out?: string; folder?: boolean; replace?: boolean; dataDir?: string }) =>
      withLibrary(o.dataDir, 'read', async (lib) => {
        const p = findProject(lib, ref);
        const format = o.folder ? 'folder' : 'zip';
        // Ctrl-C cancels (exit 130, nothing written); a second one, SIGTERM or SIGHUP removes the temp at once.
        const trap = trapSignals(io);
        let res: ExportResult;
        try {
          res = await exportProject(lib, p.id, exportTarget(o.out, p.name, format), format, {
            replace: o.replace,
            signal: trap.signal,
            onTemp: (tmp) => trap.onExit(() => removeTemp(tmp)),
          });
        } catch (err) {
          if (!(err instanceof LibraryError)) throw err;
          // A zip already there may be replaced, and here "confirming" is a flag; a folder must be new or empty.
          if (err.code === 'CONFLICT' && !o.replace && !o.folder) throw new UsageError(`${err.message} To replace it, add --replace.`);
          // The exports folder of a library on a read-only or full disk: say how to write elsewhere.
          const exportsDir = path.join(lib.dataDir, 'exports');
          if (o.out === undefined && (err.code === 'BAD_INPUT' || err.code === 'DISK_FULL') && err.message.includes(exportsDir)) {
            throw new UsageError(`${err.message} To write it elsewhere, add --out <file.zip>.`);
          }
          throw err;
        } finally {
          trap.dispose();
        }
        io.stdout.write(`${res.path}\n`);
        io.stderr.write(`exported project "${p.name}" (${count(res.images, 'photo')}, ${count(res.runs, 'result')}; ` +
          `${count(res.files, 'file')}, ${megabytes(res.bytes)})${res.replaced ? ', replaced the file that was there' : ''}\n`);
        const note = leftOutNote(res);
        if (note) io.stderr.write(`${note[0].toUpperCase()}${note.slice(1)}.\n`);
      }),
    );

  project
    .command('import <zip-or-folder>')
    .description('add a project exported by Fast-SAM3D Studio (a zip or a folder) as a new project')
    .option(...DATA_DIR_OPTION)
    .action((source: string, o: { dataDir?: string }) =>
      withLibrary(o.dataDir, 'write', async (lib) => {
        const p = await importProject(lib, path.resolve(source));
        io.stdout.write(`${p.id}\n`);
        io.stderr.write(`imported project "${p.name}" (${count(p.images, 'photo')}, ${count(p.runs, 'result')}) into ${lib.dataDir}\n`);
      }),
    );
}
