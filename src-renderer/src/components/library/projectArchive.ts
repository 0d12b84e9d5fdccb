/**
 * Project archives in the window: which files are one, whether one is small enough to send, reading it
 * for `projects.importData`, and the sentences the drawer shows about an import or an export.
 */
import type { ProjectSummary } from '../../../../src-shared/api';
import { ApiErrorSchema } from '../../../../src-shared/api/common';
import { errorMessage } from '../../api/errors';
import { count } from '../../../../src-shared/count';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Largest zip the window sends. The API takes 512 MiB of base64 (src-shared/api/common.ts), i.e. 384 MiB of
 * bytes; the margin keeps the data: URL the file is read as under V8's longest string (2^29 − 24 chars).
 */
export const MAX_ARCHIVE_BYTES = 384 * MiB - 64 * KiB;
/**
 * Through the browser host the request is one WebSocket message, and the host accepts messages up to
 * 256 MiB (src-main/host/server.ts) — base64 and the request around it — so about 192 MiB of zip. A larger
 * message would only drop the connection ("connection lost"), which says nothing about the cause.
 */
export const MAX_ARCHIVE_BYTES_BROWSER = 192 * MiB - 64 * KiB;

/** Longest name the API takes (`Name` in src-shared/api/library.ts). */
const MAX_NAME = 255;

export type HostKind = 'electron' | 'browser';

/** A zip by its name or type (browsers report zips as application/zip or, on Windows, x-zip-compressed). */
export function isProjectArchive(file: { name: string; type: string }): boolean {
  return /\.zip$/i.test(file.name) || file.type === 'application/zip' || file.type === 'application/x-zip-compressed';
}

/** "812 bytes", "12.3 KiB", "4.5 MiB", "1.20 GiB". */
export function formatBytes(n: number): string {
  if (n < KiB) return `${n} byte${n === 1 ? '' : 's'}`;
  if (n < MiB) return `${(n / KiB).toFixed(1)} KiB`;
  if (n < 1024 * MiB) return `${(n / MiB).toFixed(1)} MiB`;
  return `${(n / (1024 * MiB)).toFixed(2)} GiB`;
}

/**
 * Why `file` is not sent at all (checked before reading it, so a huge file costs nothing), or null. An
 * unknown host counts as the browser: its limit is the lower one.
 */
export function archiveRefusal(file: { name: string; size: number }, host: HostKind | null): string | null {
  const limit = host === 'electron' ? MAX_ARCHIVE_BYTES : MAX_ARCHIVE_BYTES_BROWSER;
  if (file.size <= limit) return null;
  // The limits in round numbers (the margins below them are not worth a decimal in a sentence).
  const round = (n: number) => `${Math.round(n / MiB)} MiB`;
  const where = host === 'electron'
    ? `the app imports project archives of up to ${round(limit)}`
    : `the browser window imports project archives of up to ${round(limit)} (the desktop app up to ${round(MAX_ARCHIVE_BYTES)})`;
  return `“${file.name}” is ${formatBytes(file.size)}: too large to import here — ${where}. ` +
    'Import it with `fastsam3d project import <zip>` on the machine that holds the library (up to 4 GiB). Nothing was read; the library is unchanged.';
}

/** The file's name as the request's `name` (1–255 characters after trimming). */
export function archiveRequestName(fileName: string): string {
  const name = fileName.trim();
  return name ? [...name].slice(0, MAX_NAME).join('').trim() : 'project.zip';
}


/** What arrived: "Imported project “mug”: 2 photos, 3 results." */
export function importedText(p: Pick<ProjectSummary, 'name' | 'images' | 'runs'>): string {
  return `Imported project “${p.name}”: ${count(p.images, 'photo')}, ${count(p.runs, 'result')}.`;
}

/**
 * A failed import or export in words. The library's refusals ("The project archive was not imported: … The
 * library is unchanged.") are whole sentences written for the user, so they are shown as the API gave them;
 * anything else (a lost connection, a rejected request) gets the usual "<action> failed: …" sentence.
 */
export function archiveErrorText(err: unknown, action: string): string {
  const e = ApiErrorSchema.safeParse(err);
  if (e.success && (e.data.code === 'BAD_REQUEST' || e.data.code === 'CONFLICT') && !e.data.issues?.length && e.data.message) {
    return e.data.message;
  }
  return errorMessage(err, action);
}

/**
 * The file's bytes as base64. FileReader encodes natively: building a binary string and calling btoa()
 * would hold three copies of a few hundred MiB in the window.
 */
export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));   // after "data:<type>;base64,"
    };
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}
