/**
 * The image with its masks drawn over it, and the pointer tools: pick, brush, eraser, lasso and magic
 * wand. Pointer positions are mapped to image pixels, so tools work at any zoom of the panel.
 * Alt inverts a tool (brush ↔ erase, lasso/wand subtract).
 */
import { useCallback, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import type { DecodedRgba } from '../image/decode';
import { magicWand } from '../mask/magicWand';
import { rasterizePolygon, type Point } from '../mask/lasso';
import { stampSegment } from '../mask/brush';
import { pickMaskAt } from '../mask/pick';
import { MASK_COLOURS, type MaskEditor } from '../state/useMaskEditor';

export type Tool = 'pick' | 'brush' | 'eraser' | 'lasso' | 'wand';

interface Props {
  image: DecodedRgba;
  editor: MaskEditor;
  tool: Tool;
  brushSize: number;
  tolerance: number;
  opacity: number;
}

function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function MaskCanvas({ image, editor, tool, brushSize, tolerance, opacity }: Props) {
  const imageRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const stroke = useRef<{ data: Uint8Array; last: Point; points: Point[]; subtract: boolean } | null>(null);
  const [cursor, setCursor] = useState<Point | null>(null);
  const { set } = editor;

  // The photo: drawn once per image.
  useEffect(() => {
    const c = imageRef.current;
    if (!c) return;
    c.width = image.width;
    c.height = image.height;
    c.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(image.rgba), image.width, image.height), 0, 0);
  }, [image]);

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

  const toImage = (e: ReactPointerEvent): Point => {
    const r = overlayRef.current!.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * image.width, ((e.clientY - r.top) / r.height) * image.height];
  };
  const radius = () => (brushSize / 100) * Math.max(image.width, image.height) * 0.1 + 1;

  const onDown = (e: ReactPointerEvent) => {
    if (e.button !== 0) return;
    const p = toImage(e);
    if (tool === 'pick') {
      const i = pickMaskAt(set.masks, p[0], p[1]);
      if (i >= 0) editor.toggleSelected(i, !e.shiftKey);
      return;
    }
    if (tool === 'wand') {
      editor.applyStroke(image.width, image.height, magicWand(image.rgba, image.width, image.height, p[0], p[1], tolerance), e.altKey ? 'subtract' : 'add');
      return;
    }
    (e.target as Element).setPointerCapture(e.pointerId);
    const data = new Uint8Array(image.width * image.height);
    const subtract = tool === 'eraser' ? !e.altKey : e.altKey;
    if (tool === 'brush' || tool === 'eraser') stampSegment(data, image.width, image.height, p[0], p[1], p[0], p[1], radius());
    stroke.current = { data, last: p, points: [p], subtract };
    previewSegment(p, p, subtract);
  };

  const onMove = (e: ReactPointerEvent) => {
    const p = toImage(e);
    setCursor(p);
    const s = stroke.current;
    if (!s) return;
    if (tool === 'lasso') s.points.push(p);
    else stampSegment(s.data, image.width, image.height, s.last[0], s.last[1], p[0], p[1], radius());
    previewSegment(s.last, p, s.subtract);
    s.last = p;
  };

  const onUp = (e: ReactPointerEvent) => {
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

  const showBrush = cursor && (tool === 'brush' || tool === 'eraser');
  return (
    <div className={`mask-canvas tool-${tool}`} style={{ aspectRatio: `${image.width} / ${image.height}` }}>
      <canvas ref={imageRef} className="layer" aria-hidden="true" />
      <canvas
        ref={overlayRef}
        className="layer overlay"
        data-testid="mask-overlay"
        role="img"
        aria-label={`Image ${image.width}×${image.height} with ${set.masks.length} mask(s); tool: ${tool}`}
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={onUp}
        onPointerCancel={onUp}
        onPointerLeave={() => setCursor(null)}
      />
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
  );
}
