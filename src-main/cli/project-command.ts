/**
 * `fastsam3d project list | export | import` — the project library's archives without a window: move a
 * project to another machine, hand it to a colleague, back it up from a script. The same library the app
 * and the browser host open (their data folder, or --data-dir), and the same export/import code as the
 * window's "Export project…" and "Import project…"; it can run while the app is open (SQLite in WAL mode,
 * and the holder registry keeps crash recovery off the app's runs and files).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import type { ProjectSummary } from '../../src-shared/api/library';
import { count } from '../../src-shared/count';
import { defaultDataDir } from '../host/paths';
import { Library, exportProject, importProject } from '../library';
import { removeTemp, type ExportResult } from '../library/archive';
import { LibraryError } from '../library/errors';
import { UsageError } from './exit-codes';
import type { Io } from './run-command';
import { trapSignals } from './signals';

const HELP = `
<project> is a project's id or its name (not case-sensitive; an ambiguous name lists the matches).
The library is the app's (${defaultDataDir()}), or --data-dir, or FASTSAM3D_DATA_DIR.

Examples:
  fastsam3d project list
  fastsam3d project export "desk chair"                 (→ <data>/exports/projects/desk_chair.zip)
  fastsam3d project export "desk chair" --out ~/chair.zip --replace
  fastsam3d project import ~/Downloads/desk_chair.zip
`;

const DATA_DIR_OPTION = ['--data-dir <dir>', 'the library folder (default: the app\'s)'] as const;

/**
 * Open the library of `dataDir` for one command and close it after, whatever happens. `existing`: a
 * command that only reads (list, export) refuses a folder without a library rather than creating one
 * there, so a mistyped --data-dir is said, not answered with "no projects".
 */
async function withLibrary<T>(dataDir: string | undefined, f: (lib: Library) => T | Promise<T>, existing = false): Promise<T> {
  const dir = path.resolve(dataDir ?? defaultDataDir());
  if (existing && !fs.existsSync(path.join(dir, 'library.sqlite'))) {
    throw new UsageError(`there is no library in ${dir} (no library.sqlite): check --data-dir (the app's library is in ${defaultDataDir()})`);
  }
  let lib: Library;
  try {
    lib = Library.open(dir);
  } catch (err) {
    throw new UsageError(`cannot open the library: ${(err as Error).message}`);
  }
  try {
    await lib.uprightOldPhotos(); // sizes an earlier version recorded, before a project is listed or exported
    return await f(lib);
  } catch (err) {
    // The library's errors say what was wrong and what to do: a user's problem, one line, exit 2.
    if (err instanceof LibraryError && err.code !== 'IO' && err.code !== 'DISK_FULL') throw new UsageError(err.message);
    throw err;
  } finally {
    lib.close();
  }
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
      withLibrary(o.dataDir, (lib) => {
        const projects = lib.listProjects({});
        if (o.json) io.stdout.write(JSON.stringify(projects, null, 2) + '\n');
        else if (projects.length === 0) io.stdout.write(`no projects in ${lib.dataDir}\n`);
        else io.stdout.write(projects.map(describeProject).join('\n') + '\n');
      }, true),
    );

  project
    .command('export <project>')
    .description('write a project (photos, masks, results, meshes) as a zip another library can import')
    .option('--out <path>', 'the zip (or folder with --folder) to write; default <data>/exports/projects/<name>.zip')
    .option('--folder', 'write a folder instead of a zip (for projects of more than 65,535 files; import takes up to 4 GiB either way)')
    .option('--replace', 'replace a zip already at --out')
    .option(...DATA_DIR_OPTION)
    .action((ref: string, o: { out?: string; folder?: boolean; replace?: boolean; dataDir?: string }) =>
      withLibrary(o.dataDir, async (lib) => {
        const p = findProject(lib, ref);
        // Ctrl-C cancels (exit 130, nothing written); a second one, SIGTERM or SIGHUP removes the temp at once.
        const trap = trapSignals(io);
        let res: ExportResult;
        try {
          res = await exportProject(lib, p.id, o.out === undefined ? undefined : path.resolve(o.out), o.folder ? 'folder' : 'zip', {
            replace: o.replace,
            signal: trap.signal,
            onTemp: (tmp) => trap.onExit(() => removeTemp(tmp)),
          });
        } catch (err) {
          // A zip already there may be replaced, and here "confirming" is a flag; a folder must be new or empty.
          if (err instanceof LibraryError && err.code === 'CONFLICT' && !o.replace && !o.folder) throw new UsageError(`${err.message} To replace it, add --replace.`);
          throw err;
        } finally {
          trap.dispose();
        }
        io.stdout.write(`${res.path}\n`);
        io.stderr.write(`exported project "${p.name}" (${count(p.images, 'photo')}, ${count(p.runs, 'result')}; ` +
          `${res.files} files, ${megabytes(res.bytes)})${res.replaced ? ', replaced the file that was there' : ''}\n`);
      }, true),
    );

  project
    .command('import <zip-or-folder>')
    .description('add a project exported by Fast-SAM3D Studio (a zip or a folder) as a new project')
    .option(...DATA_DIR_OPTION)
    .action((source: string, o: { dataDir?: string }) =>
      withLibrary(o.dataDir, async (lib) => {
        const p = await importProject(lib, path.resolve(source));
        io.stdout.write(`${p.id}\n`);
        io.stderr.write(`imported project "${p.name}" (${count(p.images, 'photo')}, ${count(p.runs, 'result')}) into ${lib.dataDir}\n`);
      }),
    );
}
