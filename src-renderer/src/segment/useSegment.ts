/**
 * Click-to-segment state of the window: the segmentation packs, the current image's one-time encoding,
 * the prompts (positive/negative clicks, a box) and the proposal the host returns for them. Every prompt
 * change asks for a new proposal, refined by the previous one (SAM's mask_input); replies that arrive
 * after a newer prompt are dropped. Accepting adds the proposal as a mask (an undoable edit). The prompts
 * have their own undo/redo (segment/prompts.ts): `undoPrompt` takes back the last click or box and shows
 * the proposal those prompts had (asked again when it was never received).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SegBox, SegPackInfo, SegPoint, StudioApi } from '../../../src-shared/api';
import { decodeMaskRle } from '../../../src-shared/api';
import { ApiErrorSchema } from '../../../src-shared/api/common';
import { errorMessage } from '../api/errors';
import type { BitMask } from '../mask/bitmask';
import type { MaskEditor } from '../state/useMaskEditor';
import {
  EMPTY_HISTORY, hasPrompts as anyPrompts, nextSegmentName, promptKey, pushPrompts, redoPrompts, undoPrompts,
  type PromptHistory, type Prompts,
} from './prompts';

export interface Proposal { id: string; mask: BitMask; area: number; score: number; ms: number }

export interface SegmentImage { id: string; width: number; height: number }

/** Where users get a pack (shown when none is installed). */
export const NO_PACK_HINT =
  'No usable segmentation pack installed. Build seg-mini with tools/ or convert SAM-family weights (docs/segmentation-pack.md), put the folder in models/ (or the data folder\'s models/) and reload this window.';

export function useSegment(api: StudioApi, image: SegmentImage | null, active: boolean, editor: MaskEditor) {
  const [packs, setPacks] = useState<SegPackInfo[] | null>(null);
  const [packId, setPackId] = useState<string | null>(null);
  const [history, setHistoryState] = useState<PromptHistory>(EMPTY_HISTORY);
  // The latest history for key presses that come faster than renders (two Ctrl+Z in a row take back two).
  const historyRef = useRef<PromptHistory>(EMPTY_HISTORY);
  const setHistory = useCallback((next: PromptHistory) => { historyRef.current = next; setHistoryState(next); }, []);
  const { points, box } = history.present;
  const [proposal, setProposal] = useState<Proposal | null>(null);
  const [encoded, setEncoded] = useState<string | null>(null); // "<imageId>|<packId>" once encoded
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [negative, setNegative] = useState(false);
  const seq = useRef(0);
  const lastProposal = useRef<string | null>(null);
  /** Proposals (and their status lines) by prompt set, so undo and redo show them again without asking. */
  const seen = useRef(new Map<string, { proposal: Proposal; status: string }>());

  useEffect(() => {
    let live = true;
    api.invoke('segment.packs', {}).then((list) => {
      if (!live) return;
      setPacks(list);
      setPackId(list.find((p) => p.valid)?.id ?? null);
    }, (e) => live && setError(errorMessage(e, 'Listing segmentation packs')));
    return () => { live = false; };
  }, [api]);

  const clear = useCallback(() => {
    seq.current++;
    lastProposal.current = null;
    seen.current.clear();
    setHistory(EMPTY_HISTORY); setProposal(null); setBusy(false); setError(null);
  }, [setHistory]);

  // A new image or pack starts over.
  useEffect(() => { clear(); setStatus(null); }, [image?.id, packId, clear]);

  // Encode once when the tool is used on an image (the host caches the embedding per image content).
  const key = image && packId ? `${image.id}|${packId}` : null;
  useEffect(() => {
    if (!active || !key || !image || !packId || encoded === key) return;
    let live = true;
    setBusy(true);
    setStatus('Encoding the image…');
    api.invoke('segment.encode', { imageId: image.id, packId }).then((r) => {
      if (!live) return;
      setEncoded(key);
      setStatus(r.cached ? `Image ready (${packId}, encoded earlier). Click the object.` : `Encoded in ${Math.round(r.encodeMs)} ms (${packId}). Click the object.`);
    }, (e) => live && setError(errorMessage(e, 'Encoding the image for segmentation'))).finally(() => live && setBusy(false));
    return () => { live = false; };
  }, [active, api, encoded, image, key, packId]);

  const predict = useCallback(async (nextPoints: readonly SegPoint[], nextBox: SegBox | null) => {
    if (!image || !packId) return;
    if (nextPoints.length === 0 && !nextBox) { setProposal(null); lastProposal.current = null; return; }
    const mine = ++seq.current;
    setBusy(true); setError(null);
    const ask = (previous: string | null) => api.invoke('segment.predict', {
      imageId: image.id, packId, points: [...nextPoints], ...(nextBox ? { box: nextBox } : {}),
      ...(previous ? { previous } : {}), size: { width: image.width, height: image.height },
    });
    try {
      let r;
      try {
        r = await ask(lastProposal.current);
      } catch (e) {
        // The host forgot the previous proposal (restarted, or many clicks ago): ask without it.
        const parsed = ApiErrorSchema.safeParse(e);
        if (!(parsed.success && parsed.data.code === 'NOT_FOUND' && lastProposal.current)) throw e;
        r = await ask(null);
      }
      if (mine !== seq.current) return;
      lastProposal.current = r.proposalId;
      setEncoded(`${image.id}|${packId}`);
      const next: Proposal = { id: r.proposalId, mask: { width: r.mask.width, height: r.mask.height, data: decodeMaskRle(r.mask) }, area: r.area, score: r.score, ms: r.ms };
      const said = `${r.encodeMs > 0 ? `Encoded in ${Math.round(r.encodeMs)} ms; ` : ''}proposal in ${Math.round(r.ms)} ms · score ${r.score.toFixed(2)} · ${r.area.toLocaleString()} px. Enter accepts, Esc clears.`;
      seen.current.set(promptKey({ points: nextPoints, box: nextBox }), { proposal: next, status: said });
      setProposal(next);
      setStatus(said);
    } catch (e) {
      if (mine === seq.current) setError(errorMessage(e, 'Segmenting'));
    } finally {
      if (mine === seq.current) setBusy(false);
    }
  }, [api, image, packId]);

  const addPoint = useCallback((p: SegPoint) => {
    const h = historyRef.current;
    const next = { points: [...h.present.points, { ...p, positive: p.positive && !negative }], box: h.present.box };
    setHistory(pushPrompts(h, next));
    void predict(next.points, next.box);
  }, [negative, predict, setHistory]);

  const setPromptBox = useCallback((b: SegBox) => {
    const h = historyRef.current;
    setHistory(pushPrompts(h, { points: h.present.points, box: b }));
    void predict(h.present.points, b);
  }, [predict, setHistory]);

  /** Show the prompts `to` (after undo or redo): their proposal as it was, or asked for again. */
  const restore = useCallback((to: PromptHistory) => {
    setHistory(to);
    const p: Prompts = to.present;
    const known = seen.current.get(promptKey(p));
    if (known) {
      seq.current++; // a reply still on its way is for the prompts just left
      lastProposal.current = known.proposal.id;
      setProposal(known.proposal); setStatus(known.status); setBusy(false); setError(null);
    } else if (!anyPrompts(p)) {
      seq.current++;
      lastProposal.current = null;
      setProposal(null); setStatus(null); setBusy(false); setError(null);
    } else {
      // Never received (a newer click overtook it): asked afresh, not refined by a mask of other prompts.
      lastProposal.current = null;
      void predict(p.points, p.box);
    }
  }, [predict, setHistory]);

  /** One step through the prompt history (`step`: undoPrompts or redoPrompts); false when there is none. */
  const stepPrompts = useCallback((step: typeof undoPrompts): boolean => {
    const to = step(historyRef.current);
    if (!to) return false;
    restore(to);
    return true;
  }, [restore]);
  /** Ctrl+Z in the tool: takes back the last click or box; false when there are no prompts. */
  const undoPrompt = useCallback(() => stepPrompts(undoPrompts), [stepPrompts]);
  /** Ctrl+Shift+Z / Ctrl+Y: the last click or box taken back, again; false when none was. */
  const redoPrompt = useCallback(() => stepPrompts(redoPrompts), [stepPrompts]);

  /** The mask history is being undone: a click taken back earlier is no longer the next thing to redo. */
  const forgetPromptRedo = useCallback(() => {
    const h = historyRef.current;
    if (h.future.length) setHistory({ ...h, future: [] });
  }, [setHistory]);

  const accept = useCallback((): boolean => {
    if (!proposal || !image || proposal.area === 0) return false;
    const name = nextSegmentName(editor.set.masks.map((m) => m.name));
    editor.addMask(image.width, image.height, proposal.mask, name);
    clear();
    setStatus(`Added “${name}” (${proposal.area.toLocaleString()} px). Click to segment another object.`);
    return true;
  }, [clear, editor, image, proposal]);

  const hasPrompts = anyPrompts(history.present);
  const pack = packs?.find((p) => p.id === packId) ?? null;
  return {
    packs, pack, packId, setPackId, points, box, proposal, busy, status, error, negative, setNegative,
    addPoint, setBox: setPromptBox, accept, clear, hasPrompts, undoPrompt, redoPrompt, forgetPromptRedo,
    canRedoPrompt: history.future.length > 0,
    /** Why the tool cannot be used right now, or null. */
    unavailable: packs === null || pack ? null
      : packs.length === 0 ? NO_PACK_HINT
      : `${NO_PACK_HINT} Found but not usable: ${packs.map((p) => `${p.id} (${p.problems[0] ?? 'invalid'})`).join('; ')}.`,
  };
}

export type Segmenter = ReturnType<typeof useSegment>;

type Undoable = Pick<Segmenter, 'undoPrompt' | 'redoPrompt' | 'forgetPromptRedo'>;

/**
 * Ctrl+Z and the Undo button: in the Segment tool with prompts on the canvas, the last click or box;
 * otherwise the last mask edit (a click taken back before is then no longer redone first).
 */
export function undoStep(segmenting: boolean, segment: Undoable, editor: Pick<MaskEditor, 'undo'>): void {
  if (segmenting && segment.undoPrompt()) return;
  segment.forgetPromptRedo();
  editor.undo();
}

/** Ctrl+Shift+Z / Ctrl+Y and the Redo button: a click or box taken back, else the next mask edit. */
export function redoStep(segmenting: boolean, segment: Undoable, editor: Pick<MaskEditor, 'redo'>): void {
  if (segmenting && segment.redoPrompt()) return;
  editor.redo();
}
