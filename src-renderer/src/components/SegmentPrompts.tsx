/**
 * The segment tool's prompts drawn over the image in image coordinates: positive (green) and negative
 * (red) clicks, the box, and the box being dragged. Marker sizes are divided by the zoom so they keep
 * their size on screen.
 */
import type { SegBox, SegPoint } from '../../../src-shared/api';
import type { Point } from '../mask/lasso';

interface Props {
  width: number;
  height: number;
  zoom: number;
  points: readonly SegPoint[];
  box: SegBox | null;
  dragBox: [Point, Point] | null;
}

function Rect({ b, className }: { b: SegBox; className: string }) {
  return (
    <rect className={className} x={Math.min(b.x0, b.x1)} y={Math.min(b.y0, b.y1)} width={Math.abs(b.x1 - b.x0)} height={Math.abs(b.y1 - b.y0)} />
  );
}

export function SegmentPrompts({ width, height, zoom, points, box, dragBox }: Props) {
  const r = (Math.max(width, height) * 0.012) / zoom;
  return (
    <svg className="layer prompts" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" aria-hidden="true">
      {box && <Rect b={box} className="box" />}
      {dragBox && <Rect b={{ x0: dragBox[0][0], y0: dragBox[0][1], x1: dragBox[1][0], y1: dragBox[1][1] }} className="box dragging" />}
      {points.map((p, i) => (
        <circle key={i} className={p.positive ? 'point positive' : 'point negative'} cx={p.x} cy={p.y} r={r} />
      ))}
    </svg>
  );
}
