/**
 * Names of what the export writes, in one place: the file-name rule (`fileBaseName`, which the CLI, the
 * export API and the project zips use), the names of objects inside the files (`objectName`: GLB nodes,
 * OBJ `o`, scene nodes — the same rule, so an object is called alike in Blender whichever format it came
 * in, PLY included, whose object Blender names after the file), and names that cannot collide.
 */

/**
 * Longest base name in UTF-8 bytes. File systems allow 255 bytes per name, and the longest name written
 * is the temporary `.<base>.report.json.<pid>.<8 hex>.tmp` (base + 34 bytes); 80 characters of CJK would
 * be 240 bytes (ENAMETOOLONG). 220 also leaves room for a `-N` after 70 characters (uniqueOutputNames and
 * the worker's names).
 */
const MAX_BASE_BYTES = 220;
const MAX_BASE_CHARS = 80;

/** Windows device names, which cannot be file names there whatever the extension (con.glb, aux.obj). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

/**
 * What a name keeps: letters, digits and the marks that belong to them (accents, Indic vowel signs,
 * emoji variation selectors), `.`, `_`, `-`, and symbols and emoji (✓, ©, 🍺, with their skin tones and
 * the joiner U+200D), which every file system takes: none of them is ASCII, where all the characters that
 * Windows, macOS or Linux refuse, or shells read, are. Everything else — and any run of two or more dots,
 * which is how `../` starts — becomes one `_`.
 */
const DROPPED = /(?:(?!\u200d)[^\p{L}\p{N}\p{M}\p{So}\p{Extended_Pictographic}\p{Emoji_Modifier}._-]|\.{2,})+/gu;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The longest prefix of `s` of whole characters (grapheme clusters: an accented letter, an emoji with its
 * skin tone) within `maxChars` UTF-16 units and `maxBytes` UTF-8 bytes.
 */
function truncateName(s: string, maxChars: number, maxBytes: number): string {
  let out = '';
  let chars = 0;
  let bytes = 0;
  for (const { segment } of graphemes.segment(s)) {
    const b = Buffer.byteLength(segment, 'utf8');
    if (chars + segment.length > maxChars || bytes + b > maxBytes) break;
    out += segment;
    chars += segment.length;
    bytes += b;
  }
  return out;
}

/** `s` cleaned by the file-name rule, not yet cut to length ('' when nothing is left). */
function cleanName(s: string): string {
  return s
    .normalize('NFKC')
    .replace(DROPPED, '_')
    .replace(/^[._-]+/, '') // never hidden (.x), never read as an option (-rf)
    .replace(/\.+$/, ''); // Windows drops a trailing dot
}

/**
 * A safe file base name from a mask, object or project name: letters, digits (with their accents),
 * symbols and emoji, `.`, `_` and `-`, anything else as `_` (so never a path: `../x` gives `x`, `a/b` gives `a_b`, and no
 * `..` survives); never starting with `.`, `_` or `-` (not hidden, not an option on a command line), not
 * ending with `.`; at most 80 characters and 220 UTF-8 bytes (cut between characters, never inside one),
 * not a Windows device name (`con` gives `con_`); `fallback` when nothing is left.
 */
export function fileBaseName(name: string, fallback = 'object'): string {
  const cleaned = truncateName(cleanName(name), MAX_BASE_CHARS, MAX_BASE_BYTES).replace(/\.+$/, '');
  if (!cleaned) return fallback;
  return WINDOWS_RESERVED.test(cleaned) ? cleaned.replace(/^[^.]+/, '$&_') : cleaned;
}

/**
 * The name of an object inside an exported file (GLB node and mesh, OBJ `o`, scene node): the file-name
 * rule, so that Blender shows one object name whichever format was imported (its PLY importer names the
 * object after the file) and a name typed as a path ("my/../../etc") does not come back as one.
 */
export function objectName(name: string, fallback = 'object'): string {
  return fileBaseName(name, fallback);
}

/**
 * One file base name from `parts` joined with `-`, each part cleaned (empty ones left out), cut so that the
 * whole fits the length limits with `suffixes` (the variant: `posed`, `1000tri`) kept whole: the longest
 * part is shortened first, so a long project name does not push the variant off the end and make a
 * simplified export replace the full one.
 */
export function joinedFileBaseName(parts: readonly string[], suffixes: readonly string[] = [], fallback = 'object'): string {
  const tail = suffixes.map((s) => fileBaseName(s, '')).filter(Boolean);
  const cut = parts.map((p) => [...graphemes.segment(fileBaseName(p, ''))].map((g) => g.segment)).filter((p) => p.length > 0);
  if (cut.length === 0) return fileBaseName(tail.join('-'), fallback);
  const join = () => [...cut.map((p) => p.join('')), ...tail].join('-');
  const fits = (s: string) => s.length <= MAX_BASE_CHARS && Buffer.byteLength(s, 'utf8') <= MAX_BASE_BYTES;
  while (!fits(join())) {
    const longest = cut.reduce((a, b) => (Buffer.byteLength(b.join('')) > Buffer.byteLength(a.join('')) ? b : a));
    if (longest.length <= 1) break;
    longest.pop();
  }
  return fileBaseName(join(), fallback);
}

/**
 * Object names whose files cannot overwrite each other: unique once cleaned into file names
 * (case-insensitively, for macOS and Windows disks), and never "scene" (the scene's own `scene.glb`). A
 * name keeps its spelling when its file name is free; otherwise it becomes its cleaned name with `-2`,
 * `-3`, …. Names already unique come back unchanged.
 */
export function uniqueOutputNames(names: readonly string[], sceneName = 'scene'): string[] {
  const taken = new Set<string>([fileBaseName(sceneName).toLowerCase()]);
  const key = (n: string) => fileBaseName(n).toLowerCase();
  return names.map((raw) => {
    let name = raw.trim() || 'object';
    if (taken.has(key(name))) {
      const stem = truncateName(fileBaseName(name), 70, MAX_BASE_BYTES - 12);
      let k = 2;
      while (taken.has(key(`${stem}-${k}`))) k++;
      name = `${stem}-${k}`;
    }
    taken.add(key(name));
    return name;
  });
}
