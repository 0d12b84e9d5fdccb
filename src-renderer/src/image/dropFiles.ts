/**
 * Files from a drop, including a dropped folder (the SAM 3D example convention: a folder holding
 * image.png and 0.png, 1.png …). Folders are read one level deep through the File System Entry API.
 */
function readDirectory(dir: FileSystemDirectoryEntry): Promise<File[]> {
  return new Promise((resolve, reject) => {
    const reader = dir.createReader();
    const out: Promise<File>[] = [];
    const next = () => reader.readEntries((entries) => {
      if (entries.length === 0) { Promise.all(out).then(resolve, reject); return; }
      for (const e of entries) {
        if (e.isFile) out.push(new Promise((res, rej) => (e as FileSystemFileEntry).file(res, rej)));
      }
      next(); // readEntries returns at most ~100 entries per call
    }, reject);
    next();
  });
}

export async function filesFromDrop(dt: DataTransfer): Promise<File[]> {
  const dirs: FileSystemDirectoryEntry[] = [];
  for (const item of [...dt.items]) {
    const entry = item.kind === 'file' ? item.webkitGetAsEntry?.() : null;
    if (entry?.isDirectory) dirs.push(entry as FileSystemDirectoryEntry);
  }
  if (dirs.length === 0) return [...dt.files];
  // A folder was dropped: take its files (the first folder only, one image per editor).
  return readDirectory(dirs[0]);
}
