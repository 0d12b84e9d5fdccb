/**
 * Image + mask panel: open/drop/paste an image (with SAM 3D masks beside it), the editing tools, the
 * mask list (which masks go into the next run) and the overlay controls.
 */
import { useRef, useState, type DragEvent, type ReactNode } from 'react';
import type { DecodedRgba } from '../image/decode';
import { filesFromDrop } from '../image/dropFiles';
import { redoStep, undoStep, type Segmenter } from '../segment/useSegment';
import type { MaskEditor } from '../state/useMaskEditor';
import type { MaskView } from '../state/useMaskView';
import { useFocusHandoff } from './focus';
import { MaskCanvas, type Tool } from './MaskCanvas';
import { MaskList } from './MaskList';
import { SegmentBar } from './SegmentBar';
import { ZOOM_STEP } from '../mask/viewport';

export const TOOLS: readonly { id: Tool; label: string; key: string }[] = [
  { id: 'pick', label: 'Pick mask', key: 'V' },
  { id: 'brush', label: 'Brush', key: 'B' },
  { id: 'eraser', label: 'Eraser', key: 'E' },
  { id: 'lasso', label: 'Lasso', key: 'L' },
  { id: 'wand', label: 'Magic wand', key: 'W' },
  { id: 'segment', label: 'Segment', key: 'S' },
];

interface Props {
  image: (DecodedRgba & { name: string }) | null;
  editor: MaskEditor;
  tool: Tool;
  onTool: (t: Tool) => void;
  onFiles: (files: File[]) => void;
  error: string | null;
  busy: boolean;
  view: MaskView;
  segment: Segmenter;
  /** Shown under the drop hint while no photo is open (the bundled examples). */
  emptyExtras?: ReactNode;
}

export function ImagePanel({ image, editor, tool, onTool, onFiles, error, busy, view, segment, emptyExtras }: Props) {
  const fileInput = useRef<HTMLInputElement>(null);
  const [brushSize, setBrushSize] = useState(20);
  const [tolerance, setTolerance] = useState(32);
  const [opacity, setOpacity] = useState(0.5);
  const [dragging, setDragging] = useState(false);
  const { history } = editor;
  // In the Segment tool, Undo / Redo take back (and redo) prompt clicks first, as Ctrl+Z does.
  const segmenting = tool === 'segment';
  const canUndo = history.canUndo || (segmenting && segment.hasPrompts);
  const canRedo = history.canRedo || (segmenting && segment.canRedoPrompt);
  const undoButton = useRef<HTMLButtonElement>(null);
  const redoButton = useRef<HTMLButtonElement>(null);
  // Undo pressed back to the start of history (or Redo to its end) disables itself: the other one is next.
  useFocusHandoff(undoButton, !canUndo, () => [redoButton.current]);
  useFocusHandoff(redoButton, !canRedo, () => [undoButton.current]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    // Items must be read synchronously inside the drop event; the folder contents arrive later.
    filesFromDrop(e.dataTransfer).then((files) => { if (files.length) onFiles(files); }, () => onFiles([...e.dataTransfer.files]));
  };

  return (
    <section
      className={`panel image-panel${dragging ? ' dragging' : ''}`}
      aria-label="Image and masks"
      onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <header className="panel-head">
        <h2>Image</h2>
        <button type="button" onClick={() => fileInput.current?.click()} disabled={busy} aria-keyshortcuts="Control+O">
          Open image…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="image/png,image/jpeg,image/webp"
          multiple
          hidden
          data-testid="image-input"
          aria-label="Open image (with SAM 3D masks 0.png, 1.png … beside it)"
          onChange={(e) => { const f = [...(e.target.files ?? [])]; e.target.value = ''; if (f.length) onFiles(f); }}
        />
      </header>
      {error && <p className="error" role="alert">{error}</p>}
      {!image ? (
        <div className="drop-hint">
          <p>Drop a photo (or a SAM 3D example folder) here, paste one (Ctrl+V) or press <kbd>Ctrl</kbd>+<kbd>O</kbd>.</p>
          <p className="muted">Select <code>image.png</code> with its masks <code>0.png</code>, <code>1.png</code> … to load a SAM 3D example folder.</p>
          {emptyExtras}
        </div>
      ) : (
        <>
          <div className="toolbar" role="toolbar" aria-label="Mask tools">
            {TOOLS.map((t) => (
              <button
                key={t.id}
                type="button"
                aria-pressed={tool === t.id}
                aria-keyshortcuts={t.key}
                title={`${t.label} (${t.key})`}
                onClick={() => onTool(t.id)}
              >
                {t.label}
              </button>
            ))}
            <span className="sep" />
            <button ref={undoButton} type="button" onClick={() => undoStep(segmenting, segment, editor)} disabled={!canUndo} aria-keyshortcuts="Control+Z">Undo</button>
            <button ref={redoButton} type="button" onClick={() => redoStep(segmenting, segment, editor)} disabled={!canRedo} aria-keyshortcuts="Control+Shift+Z">Redo</button>
            <span className="sep" />
            <button type="button" onClick={() => view.zoomBy(1 / ZOOM_STEP)} aria-label="Zoom out" aria-keyshortcuts="-" title="Zoom out (−)">−</button>
            <output className="zoom" aria-label="Zoom" data-testid="zoom-level">{Math.round(view.view.zoom * 100)}%</output>
            <button type="button" onClick={() => view.zoomBy(ZOOM_STEP)} aria-label="Zoom in" aria-keyshortcuts="+" title="Zoom in (+)">+</button>
            <button type="button" onClick={view.fit} aria-label="Fit image to panel" aria-keyshortcuts="0" title="Fit (0)">Fit</button>
          </div>
          {tool === 'segment' && <SegmentBar segment={segment} onDone={view.focus} />}
          <div className="toolbar sliders">
            {/* The Segment tool has no brush and no wand: their sliders give the photo their rows. */}
            {!segmenting && <>
              <label>Brush size
                <input type="range" min={1} max={100} value={brushSize} onChange={(e) => setBrushSize(+e.target.value)} />
              </label>
              <label>Wand tolerance
                <input type="range" min={0} max={200} value={tolerance} onChange={(e) => setTolerance(+e.target.value)} />
                <output>{tolerance}</output>
              </label>
            </>}
            <label>Overlay opacity
              <input type="range" min={0} max={1} step={0.05} value={opacity} onChange={(e) => setOpacity(+e.target.value)} />
            </label>
          </div>
          <MaskCanvas image={image} editor={editor} tool={tool} brushSize={brushSize} tolerance={tolerance} opacity={opacity} view={view} segment={segment} />
          <MaskList image={image} editor={editor} />
        </>
      )}
    </section>
  );
}
