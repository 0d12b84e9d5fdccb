/**
 * The image with its masks drawn over it, and the pointer tools: pick, brush, eraser, lasso, magic wand
 * and segment (click-to-segment: click = positive point, Alt/right-click = negative, drag = box). Pointer
 * positions are mapped to image pixels through the transformed layers' box, so every tool works at any
 * zoom. Wheel zooms at the cursor; space-drag or middle-drag pans (Space while the pointer is over the
 * canvas or the canvas has the focus, unless a field or button has it). Alt inverts a tool (brush ↔ erase,
 * lasso/wand subtract).
 */
import { useCallback, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import type { DecodedRgba } from '../image/decode';
import { magicWand } from '../mask/magicWand';
import { rasterizePolygon, type Point } from '../mask/lasso';
import { stampSegment } from '../mask/brush';
import { pickMaskAt } from '../mask/pick';
import { spaceIsFree } from '../mask/spaceKey';
import { wheelFactor, type View } from '../mask/viewport';
import type { Segmenter } from '../segment/useSegment';
import { MASK_COLOURS, type MaskEditor } from '../state/useMaskEditor';
import type { MaskView } from '../state/useMaskView';
import { SegmentPrompts } from './SegmentPrompts';

export type Tool = 'pick' | 'brush' | 'eraser' | 'lasso' | 'wand' | 'segment';

interface Props {
  image: DecodedRgba;
  editor: MaskEditor;
  tool: Tool;
  brushSize: number;
  tolerance: number;
  opacity: number;
  view: MaskView;
  segment: Segmenter;
}

/** Screen pixels a segment press may move and still count as a click rather than a box. */
const CLICK_SLOP = 5;

function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function MaskCanvas({ image, editor, tool, brushSize, tolerance, opacity, view, segment }: Props) {
  const panelRef = useRef<HTMLDivElement | null>(null);
  const imageRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const proposalRef = useRef<HTMLCanvasElement>(null);
  const stroke = useRef<{ data: Uint8Array; last: Point; points: Point[]; subtract: boolean } | null>(null);
  const pan = useRef<{ x: number; y: number; start: View } | null>(null);
  const press = useRef<{ start: Point; x: number; y: number; negative: boolean } | null>(null);
  const space = useRef(false);
  const hover = useRef(false);
  const [dragBox, setDragBox] = useState<[Point, Point] | null>(null);
  const [panReady, setPanReady] = useState(false);
  const [cursor, setCursor] = useState<Point | null>(null);
  const { set } = editor;
  const { zoomBy, fit, attach } = view;

  // The photo: drawn once per image; a new image starts fitted.
  useEffect(() => {
    const c = imageRef.current;
    if (!c) return;
    c.width = image.width;
    c.height = image.height;
    c.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(image.rgba), image.width, image.height), 0, 0);
    fit();
  }, [image, fit]);

  // The overlay: every mask tinted with its colour (the active one stronger). A full redraw touches every
  // pixel, so it runs only when the masks, the opacity or the image change — never per pointer move.
  const drawMasks = useCallback(() => {
    const c = overlayRef.current;
    if (!c) return;
    if (c.width !== image.width || c.height !== image.height) { c.width = image.width; c.height = image.height; }
    const ctx = c.getContext('2d')!;
    const px = new ImageData(image.width, image.height);
    const a = Math.round(255 * opacity);
    set.masks.forEach((m, i) => {
      const [r, g, b] = hexToRgb(MASK_COLOURS[i % MASK_COLOURS.length]);
      const alpha = i === set.active ? a : Math.round(a * 0.55);
      const d = m.mask.data;
      for (let p = 0; p < d.length; p++) {
        if (!d[p]) continue;
        const o = p * 4;
        px.data[o] = r; px.data[o + 1] = g; px.data[o + 2] = b; px.data[o + 3] = alpha;
      }
    });
    ctx.putImageData(px, 0, 0);
  }, [image, opacity, set]);
  useEffect(drawMasks, [drawMasks]);

  // The segment proposal: a light fill with a solid outline, on its own layer so accepting or clearing
  // it never redraws the masks.
  const proposal = segment.proposal;
  useEffect(() => {
    const c = proposalRef.current;
    if (!c) return;
    if (c.width !== image.width || c.height !== image.height) { c.width = image.width; c.height = image.height; }
    const ctx = c.getContext('2d')!;
    ctx.clearRect(0, 0, c.width, c.height);
    if (!proposal || proposal.mask.width !== image.width || proposal.mask.height !== image.height) return;
    const { width: w, height: h, data: d } = proposal.mask;
    const px = new ImageData(w, h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        if (!d[p]) continue;
        const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1 || !d[p - 1] || !d[p + 1] || !d[p - w] || !d[p + w];
        const o = p * 4;
        if (edge) { px.data[o] = 77; px.data[o + 1] = 163; px.data[o + 2] = 255; px.data[o + 3] = 255; }
        else { px.data[o] = 255; px.data[o + 1] = 255; px.data[o + 2] = 255; px.data[o + 3] = 110; }
      }
    }
    ctx.putImageData(px, 0, 0);
  }, [image, proposal]);

  // Wheel zooms at the cursor. React's wheel listener is passive, so the page would scroll as well.
  useEffect(() => {
    const node = panelRef.current;
    if (!node) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = node.getBoundingClientRect();
      zoomBy(wheelFactor(e.deltaY, e.deltaMode), e.clientX - r.left, e.clientY - r.top);
    };
    node.addEventListener('wheel', onWheel, { passive: false });
    return () => node.removeEventListener('wheel', onWheel);
  }, [zoomBy]);

  const setPanel = useCallback((el: HTMLDivElement | null) => { panelRef.current = el; attach(el); }, [attach]);

  /** Stroke preview drawn incrementally with canvas paths (cheap at any image size). */
  const previewSegment = (from: Point, to: Point, subtract: boolean) => {
    const ctx = overlayRef.current?.getContext('2d');
    if (!ctx) return;
    ctx.save();
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    if (tool === 'lasso') {
      ctx.strokeStyle = subtract ? '#ff5050' : '#ffffff';
      ctx.lineWidth = Math.max(1, image.width / 400);
    } else {
      ctx.strokeStyle = subtract ? 'rgba(255,255,0,0.6)' : 'rgba(255,255,255,0.6)';
      ctx.lineWidth = 2 * radius();
    }
    ctx.beginPath();
    ctx.moveTo(from[0], from[1]);
    ctx.lineTo(to[0] + 0.01, to[1]);
    ctx.stroke();
    ctx.restore();
  };

  // The overlay's box is the transformed (zoomed, panned) image, so this is exact at any zoom.
  const toImage = (e: { clientX: number; clientY: number }): Point => {
    const r = overlayRef.current!.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * image.width, ((e.clientY - r.top) / r.height) * image.height];
  };
  const radius = () => (brushSize / 100) * Math.max(image.width, image.height) * 0.1 + 1;

  const onDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    e.currentTarget.focus({ preventScroll: true }); // out of a field or button, so Enter accepts and Space pans
    if (e.button === 1 || (e.button === 0 && space.current)) {
      e.preventDefault();
      e.currentTarget.setPointerCapture(e.pointerId);
      pan.current = { x: e.clientX, y: e.clientY, start: view.get() };
      return;
    }
    const p = toImage(e);
    if (tool === 'segment') {
      if (e.button !== 0 && e.button !== 2) return;
      if (segment.unavailable) return;
      e.currentTarget.setPointerCapture(e.pointerId);
      press.current = { start: p, x: e.clientX, y: e.clientY, negative: e.button === 2 || e.altKey };
      return;
    }
    if (e.button !== 0) return;
    if (tool === 'pick') {
      const i = pickMaskAt(set.masks, p[0], p[1]);
      if (i >= 0) editor.toggleSelected(i, !e.shiftKey);
      return;
    }
    if (tool === 'wand') {
      editor.applyStroke(image.width, image.height, magicWand(image.rgba, image.width, image.height, p[0], p[1], tolerance), e.altKey ? 'subtract' : 'add');
      return;
    }
    e.currentTarget.setPointerCapture(e.pointerId);
    const data = new Uint8Array(image.width * image.height);
    const subtract = tool === 'eraser' ? !e.altKey : e.altKey;
    if (tool === 'brush' || tool === 'eraser') stampSegment(data, image.width, image.height, p[0], p[1], p[0], p[1], radius());
    stroke.current = { data, last: p, points: [p], subtract };
    previewSegment(p, p, subtract);
  };

  const onMove = (e: ReactPointerEvent) => {
    if (pan.current) {
      view.panFrom(pan.current.start, e.clientX - pan.current.x, e.clientY - pan.current.y);
      return;
    }
    const p = toImage(e);
    setCursor(p);
    const pr = press.current;
    if (pr) {
      if (dragBox || Math.hypot(e.clientX - pr.x, e.clientY - pr.y) > CLICK_SLOP) setDragBox([pr.start, p]);
      return;
    }
    const s = stroke.current;
    if (!s) return;
    if (tool === 'lasso') s.points.push(p);
    else stampSegment(s.data, image.width, image.height, s.last[0], s.last[1], p[0], p[1], radius());
    previewSegment(s.last, p, s.subtract);
    s.last = p;
  };

  const onUp = (e: ReactPointerEvent) => {
    if (pan.current) { pan.current = null; return; }
    const pr = press.current;
    if (pr) {
      press.current = null;
      const box = dragBox;
      setDragBox(null);
      if (e.type === 'pointercancel') return;
      if (box) {
        const p = toImage(e);
        segment.setBox({ x0: box[0][0], y0: box[0][1], x1: p[0], y1: p[1] });
      } else {
        segment.addPoint({ x: pr.start[0], y: pr.start[1], positive: !pr.negative });
      }
      return;
    }
    const s = stroke.current;
    stroke.current = null;
    if (!s) return;
    // A lasso can be turned into a subtraction by holding Alt at any point before releasing.
    if (tool === 'lasso' && e.altKey) s.subtract = true;
    const data = tool === 'lasso' ? rasterizePolygon(s.points, image.width, image.height) : s.data;
    // An empty result (a click with the lasso) changes nothing; redraw to clear the preview either way.
    if (data.some((v) => v)) editor.applyStroke(image.width, image.height, data, s.subtract ? 'subtract' : 'add');
    else drawMasks();
  };

  // Space arms panning while the pointer is over the canvas, wherever the focus is (a mouse user need not
  // click the canvas first), unless the focused control uses Space itself (a field types it, a button is
  // pressed by it). Listening on the window: the canvas gets no key events without the focus.
  useEffect(() => {
    const release = () => { space.current = false; setPanReady(false); };
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key !== ' ' || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target instanceof HTMLElement ? e.target : null;
      const onPanel = !!t && t === panelRef.current;
      if (!(hover.current || onPanel) || !(onPanel || spaceIsFree(t && t !== document.body ? { tagName: t.tagName, role: t.getAttribute('role'), isContentEditable: t.isContentEditable } : null))) return;
      e.preventDefault(); // the page must not scroll
      if (!space.current) { space.current = true; setPanReady(true); }
    };
    const onKeyUp = (e: KeyboardEvent) => { if (e.key === ' ' && space.current) { e.preventDefault(); release(); } };
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('keyup', onKeyUp);
    window.addEventListener('blur', release);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      window.removeEventListener('keyup', onKeyUp);
      window.removeEventListener('blur', release);
    };
  }, []);

  const showBrush = cursor && (tool === 'brush' || tool === 'eraser') && !panReady;
  const v = view.view;
  return (
    <div
      ref={setPanel}
      className={`mask-canvas tool-${tool}${panReady ? ' pan-ready' : ''}`}
      // The photo's own proportions at any size: as wide as the panel unless that would make it taller than
      // --mask-max-h, then narrower (a max-height alone capped the height and kept the width: squashed).
      style={{ aspectRatio: `${image.width} / ${image.height}`, width: `min(100%, calc(var(--mask-max-h) * ${image.width} / ${image.height}))` }}
      tabIndex={0}
      aria-label={`Mask editor, zoom ${Math.round(v.zoom * 100)}%. Wheel zooms, space-drag or middle-drag pans.`}
      data-testid="mask-panel"
      data-zoom={v.zoom}
      onPointerDown={onDown}
      onPointerMove={onMove}
      onPointerUp={onUp}
      onPointerCancel={onUp}
      onPointerEnter={() => { hover.current = true; }}
      onPointerLeave={() => { hover.current = false; setCursor(null); }}
      onMouseDown={(e) => { if (e.button === 1) e.preventDefault(); /* no autoscroll on middle-drag */ }}
      onContextMenu={(e) => { if (tool === 'segment') e.preventDefault(); /* right-click = negative point */ }}
    >
      <div className="mask-stage" style={{ transform: `translate(${v.x}px, ${v.y}px) scale(${v.zoom})` }}>
        <canvas ref={imageRef} className="layer" aria-hidden="true" />
        <canvas
          ref={overlayRef}
          className="layer overlay"
          data-testid="mask-overlay"
          role="img"
          aria-label={`Image ${image.width}×${image.height} with ${set.masks.length} mask(s); tool: ${tool}`}
        />
        <canvas ref={proposalRef} className="layer proposal" data-testid="segment-proposal" aria-hidden="true" />
        {tool === 'segment' && (
          <SegmentPrompts width={image.width} height={image.height} zoom={v.zoom} points={segment.points} box={segment.box} dragBox={dragBox} />
        )}
        {showBrush && (
          <div
            className="brush-cursor"
            style={{
              left: `${(cursor[0] / image.width) * 100}%`,
              top: `${(cursor[1] / image.height) * 100}%`,
              width: `${((2 * radius()) / image.width) * 100}%`,
              aspectRatio: '1',
            }}
          />
        )}
      </div>
    </div>
  );
}
