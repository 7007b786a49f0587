// Plain SVG charts (no library): a column chart of counts and a line chart of ratios or durations per day.

import type { ReactNode } from "react";

export interface Point {
  label: string;
  value: number | null;
}

const WIDTH = 420;
const HEIGHT = 190;
const PAD = { top: 12, right: 12, bottom: 28, left: 44 };

/** Round `max` up to a readable axis top (1, 2, 5 × 10^n). */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) {
    if (max <= step * power) return step * power;
  }
  return 10 * power;
}

/** Which of `count` labels to print so that at most `room` show (always the first and the last). */
export function labelIndexes(count: number, room = 7): number[] {
  if (count <= room) return Array.from({ length: count }, (_, index) => index);
  const step = Math.ceil((count - 1) / (room - 1));
  const indexes: number[] = [];
  for (let index = 0; index < count - 1; index += step) indexes.push(index);
  indexes.push(count - 1);
  return indexes;
}

/** The value axis' labels at 0, half and the top; a label that reads like another (「1 ms」 for 0.5 and 1 ms)
 * is left out so the axis never repeats itself. */
export function axisLabels(top: number, format: (value: number) => string): [number, string | null][] {
  const [low, middle, high] = [0, 0.5, 1].map((fraction) => format(top * fraction));
  return [
    [0, low ?? null],
    [0.5, middle === low || middle === high ? null : (middle ?? null)],
    [1, high === low ? null : (high ?? null)],
  ];
}

interface ChartProps {
  title: string;
  points: Point[];
  format: (value: number) => string;
  max?: number;
}

function Frame({ title, points, format, top, children }: ChartProps & { top: number; children: ReactNode }) {
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const shown = new Set(labelIndexes(points.length));
  const step = points.length > 0 ? plotWidth / points.length : plotWidth;
  const summary = points.map(
    (point) => `${point.label}: ${point.value === null ? "—" : format(point.value)}`,
  );
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${title}（${summary.join("、")}）`}>
        {axisLabels(top, format).map(([fraction, text]) => {
          const y = PAD.top + plotHeight * (1 - fraction);
          return (
            <g key={fraction}>
              <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y} y2={y} className="grid" />
              {text !== null && (
                <text x={PAD.left - 6} y={y + 4} textAnchor="end" className="axis">
                  {text}
                </text>
              )}
            </g>
          );
        })}
        {children}
        {points.map((point, index) =>
          shown.has(index) ? (
            <text
              key={point.label}
              x={PAD.left + step * (index + 0.5)}
              y={HEIGHT - 8}
              textAnchor="middle"
              className="axis"
            >
              {point.label}
            </text>
          ) : null,
        )}
      </svg>
    </figure>
  );
}

export function ColumnChart(props: ChartProps) {
  const { points } = props;
  const top = props.max ?? niceMax(Math.max(0, ...points.map((point) => point.value ?? 0)));
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = points.length > 0 ? (WIDTH - PAD.left - PAD.right) / points.length : 0;
  return (
    <Frame {...props} top={top}>
      {points.map((point, index) => {
        const height = ((point.value ?? 0) / top) * plotHeight;
        return (
          <rect
            key={point.label}
            x={PAD.left + step * index + step * 0.15}
            y={PAD.top + plotHeight - height}
            width={step * 0.7}
            height={height}
            className="bar"
          >
            <title>{`${point.label}: ${point.value === null ? "—" : props.format(point.value)}`}</title>
          </rect>
        );
      })}
    </Frame>
  );
}

export function LineChart(props: ChartProps) {
  const { points } = props;
  const top = props.max ?? niceMax(Math.max(0, ...points.map((point) => point.value ?? 0)));
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = points.length > 0 ? (WIDTH - PAD.left - PAD.right) / points.length : 0;
  const x = (index: number) => PAD.left + step * (index + 0.5);
  const y = (value: number) => PAD.top + plotHeight * (1 - value / top);
  const xy = (index: number, value: number) => `${x(index)},${y(value)}`;
  // Days without data break the line instead of dropping to zero.
  const segments: string[][] = [[]];
  points.forEach((point, index) => {
    if (point.value === null) segments.push([]);
    else segments[segments.length - 1]?.push(xy(index, point.value));
  });
  return (
    <Frame {...props} top={top}>
      {segments
        .filter((segment) => segment.length > 0)
        .map((segment) => (
          <polyline key={segment[0]} points={segment.join(" ")} className="line" />
        ))}
      {points.map((point, index) =>
        point.value === null ? null : (
          <circle key={point.label} cx={x(index)} cy={y(point.value)} r={3} className="dot">
            <title>{`${point.label}: ${props.format(point.value)}`}</title>
          </circle>
        ),
      )}
    </Frame>
  );
}
