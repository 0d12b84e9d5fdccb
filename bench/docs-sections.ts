/**
 * docs/benchmarks.md is written by three runs (objects, `--scene`, `--sweep`), each owning one section
 * between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`; a run replaces only its own section, so the
 * others' numbers and any hand-written text outside the markers stay.
 */
import { readFile, writeFile } from 'node:fs/promises';

export type DocsSection = 'objects' | 'scene' | 'sweep';

const begin = (name: DocsSection) => `<!-- bench:${name} -->`;
const end = (name: DocsSection) => `<!-- /bench:${name} -->`;

/** `doc` with the section's body replaced, or appended at the end when the section is new. */
export function upsertSection(doc: string, name: DocsSection, body: string): string {
  const block = `${begin(name)}\n${body.trim()}\n${end(name)}`;
  const i = doc.indexOf(begin(name));
  const j = doc.indexOf(end(name));
  if (i >= 0 && j > i) return doc.slice(0, i) + block + doc.slice(j + end(name).length);
  if (i >= 0 || j >= 0)
    throw new Error(`docs: the markers of section "${name}" are broken (${begin(name)} … ${end(name)}); fix them by hand`);
  return `${doc.trimEnd()}\n\n${block}\n`;
}

export async function writeDocsSection(file: string, name: DocsSection, body: string): Promise<void> {
  let doc: string;
  try {
    doc = await readFile(file, 'utf8');
  } catch {
    doc = '# Benchmarks\n';
  }
  await writeFile(file, upsertSection(doc, name, body));
}
