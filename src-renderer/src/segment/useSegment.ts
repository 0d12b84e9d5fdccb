/**
 * Click-to-segment state of the window: the segmentation packs, the current image's one-time encoding,
 * the prompts (positive/negative clicks, a box) and the proposal the host returns for them. Every prompt
 * change asks for a new proposal, refined by the previous one (SAM's mask_input); replies that arrive
 * after a newer prompt are dropped. Accepting adds the proposal as a mask (an undoable edit).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SegBox, SegPackInfo, SegPoint, StudioApi } from '../../../src-shared/api';
import { decodeMaskRle } from '../../../src-shared/api';
import { ApiErrorSchema } from '../../../src-shared/api/common';
import { errorMessage } from '../api/errors';
import type { BitMask } from '../mask/bitmask';
import type { MaskEditor } from '../state/useMaskEditor';

export interface Proposal { id: string; mask: BitMask; area: number; score: number; ms: number }

export interface SegmentImage { id: string; width: number; height: number }

/** Where users get a pack (shown when none is installed). */
export const NO_PACK_HINT =
  'No usable segmentation pack installed. Build seg-mini with tools/ or convert SAM-family weights (docs/segmentation-pack.md), put the folder in models/ (or the data folder\'s models/) and reload this window.';

export function useSegment(api: StudioApi, image: SegmentImage | null, active: boolean, editor: MaskEditor) {
  const [packs, setPacks] = useState<SegPackInfo[] | null>(null);
  const [packId, setPackId] = useState<string | null>(null);
  const [points, setPoints] = useState<SegPoint[]>([]);
  const [box, setBox] = useState<SegBox | null>(null);
  const [proposal, setProposal] = useState<Proposal | null>(null);
  const [encoded, setEncoded] = useState<string | null>(null); // "<imageId>|<packId>" once encoded
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [negative, setNegative] = useState(false);
  const seq = useRef(0);
  const lastProposal = useRef<string | null>(null);

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
    setPoints([]); setBox(null); setProposal(null); setBusy(false); setError(null);
  }, []);

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

  const predict = useCallback(async (nextPoints: SegPoint[], nextBox: SegBox | null) => {
    if (!image || !packId) return;
    if (nextPoints.length === 0 && !nextBox) { setProposal(null); lastProposal.current = null; return; }
    const mine = ++seq.current;
    setBusy(true); setError(null);
    const ask = (previous: string | null) => api.invoke('segment.predict', {
      imageId: image.id, packId, points: nextPoints, ...(nextBox ? { box: nextBox } : {}),
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
      setProposal({ id: r.proposalId, mask: { width: r.mask.width, height: r.mask.height, data: decodeMaskRle(r.mask) }, area: r.area, score: r.score, ms: r.ms });
      setStatus(`${r.encodeMs > 0 ? `Encoded in ${Math.round(r.encodeMs)} ms; ` : ''}proposal in ${Math.round(r.ms)} ms · score ${r.score.toFixed(2)} · ${r.area.toLocaleString()} px. Enter accepts, Esc clears.`);
    } catch (e) {
      if (mine === seq.current) setError(errorMessage(e, 'Segmenting'));
    } finally {
      if (mine === seq.current) setBusy(false);
    }
  }, [api, image, packId]);

  const addPoint = useCallback((p: SegPoint) => {
    const next = [...points, { ...p, positive: p.positive && !negative }];
    setPoints(next);
    void predict(next, box);
  }, [box, negative, points, predict]);

  const setPromptBox = useCallback((b: SegBox) => {
    setBox(b);
    void predict(points, b);
  }, [points, predict]);

  const accept = useCallback((): boolean => {
    if (!proposal || !image || proposal.area === 0) return false;
    const n = editor.set.masks.filter((m) => m.name.startsWith('segment')).length;
    editor.addMask(image.width, image.height, proposal.mask, `segment ${n + 1}`);
    clear();
    setStatus(`Added “segment ${n + 1}” (${proposal.area.toLocaleString()} px). Click to segment another object.`);
    return true;
  }, [clear, editor, image, proposal]);

  const hasPrompts = points.length > 0 || box !== null;
  const pack = packs?.find((p) => p.id === packId) ?? null;
  return {
    packs, pack, packId, setPackId, points, box, proposal, busy, status, error, negative, setNegative,
    addPoint, setBox: setPromptBox, accept, clear, hasPrompts,
    /** Why the tool cannot be used right now, or null. */
    unavailable: packs === null || pack ? null
      : packs.length === 0 ? NO_PACK_HINT
      : `${NO_PACK_HINT} Found but not usable: ${packs.map((p) => `${p.id} (${p.problems[0] ?? 'invalid'})`).join('; ')}.`,
  };
}

export type Segmenter = ReturnType<typeof useSegment>;
