import { describe, expect, it } from 'vitest';
import {
  MAX_ARCHIVE_BYTES, MAX_ARCHIVE_BYTES_BROWSER, archiveErrorText, archiveRefusal, archiveRequestName, formatBytes,
  importedText, isProjectArchive,
} from './projectArchive';

const MiB = 1024 * 1024;

describe('project archives in the window', () => {
  it('recognises zips by name or type', () => {
    expect(isProjectArchive({ name: 'mug.zip', type: '' })).toBe(true);
    expect(isProjectArchive({ name: 'MUG.ZIP', type: '' })).toBe(true);
    expect(isProjectArchive({ name: 'download', type: 'application/zip' })).toBe(true);
    expect(isProjectArchive({ name: 'mug', type: 'application/x-zip-compressed' })).toBe(true);
    expect(isProjectArchive({ name: 'image.png', type: 'image/png' })).toBe(false);
    expect(isProjectArchive({ name: 'zip.png', type: 'image/png' })).toBe(false);
  });

  it('keeps every archive the API can take within its base64 limit', () => {
    // 512 MiB of base64 text (src-shared/api/common.ts) is 384 MiB of bytes.
    const base64Length = (n: number) => 4 * Math.ceil(n / 3);
    expect(base64Length(MAX_ARCHIVE_BYTES)).toBeLessThanOrEqual(512 * MiB);
    expect(MAX_ARCHIVE_BYTES).toBeGreaterThan(383 * MiB);
    // The browser host's WebSocket takes messages up to 256 MiB.
    expect(base64Length(MAX_ARCHIVE_BYTES_BROWSER) + 4096).toBeLessThanOrEqual(256 * MiB);
  });

  it('refuses too large a file before reading it, saying the limit', () => {
    expect(archiveRefusal({ name: 'a.zip', size: 10 * MiB }, 'browser')).toBeNull();
    expect(archiveRefusal({ name: 'a.zip', size: 300 * MiB }, 'electron')).toBeNull();
    const browser = archiveRefusal({ name: 'big.zip', size: 300 * MiB }, 'browser');
    expect(browser).toMatch(/^“big\.zip” is 300\.0 MiB: too large to import here/);
    expect(browser).toContain('up to 192 MiB (the desktop app up to 384 MiB)');
    expect(browser).toContain('the library is unchanged');
    expect(archiveRefusal({ name: 'big.zip', size: 400 * MiB }, 'electron')).toMatch(/up to 384 MiB\. Import it with `fastsam3d project import <zip>` .*Nothing was read/);
    // Not known yet which host: the lower limit.
    expect(archiveRefusal({ name: 'big.zip', size: 300 * MiB }, null)).not.toBeNull();
  });

  it('sizes and counts in words', () => {
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(812)).toBe('812 bytes');
    expect(formatBytes(12.3 * 1024)).toBe('12.3 KiB');
    expect(formatBytes(4.5 * MiB)).toBe('4.5 MiB');
    expect(importedText({ name: 'mug', images: 2, runs: 3 })).toBe('Imported project “mug”: 2 photos, 3 results.');
    expect(importedText({ name: 'chair', images: 1, runs: 1 })).toBe('Imported project “chair”: 1 photo, 1 result.');
  });

  it('sends a name the API accepts', () => {
    expect(archiveRequestName(' mug.zip ')).toBe('mug.zip');
    expect(archiveRequestName('   ')).toBe('project.zip');
    expect([...archiveRequestName(`${'é'.repeat(300)}.zip`)]).toHaveLength(255);
  });

  it('shows the library’s refusal as it came, other failures with the action', () => {
    const refusal = { code: 'BAD_REQUEST', message: 'The project archive was not imported: "x.txt" is not a zip file. The library is unchanged.' };
    expect(archiveErrorText(refusal, 'Importing “x.txt”')).toBe(refusal.message);
    expect(archiveErrorText({ code: 'UNAVAILABLE', message: 'The connection to the app host was lost; try again.' }, 'Importing “x.zip”'))
      .toBe('Importing “x.zip” failed: The connection to the app host was lost; try again.');
    expect(archiveErrorText({ code: 'BAD_REQUEST', message: 'Invalid request', issues: [{ path: 'name', message: 'too long' }] }, 'Importing “x.zip”'))
      .toBe('Importing “x.zip” failed: Invalid request (name: too long).');
    expect(archiveErrorText(new Error('file unreadable'), 'Importing “x.zip”')).toBe('Importing “x.zip” failed: file unreadable');
  });
});
