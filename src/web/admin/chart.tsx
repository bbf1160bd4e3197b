/**
 * Bar charts drawn on the server as SVG: no chart script to download, nothing to run, and
 * the same picture with JavaScript off. Each bar carries a <title> (a tooltip on hover) and
 * the figure a caption; the numbers are in the table beside it for screen readers.
 */
export interface BarPoint {
  label: string;
  value: number;
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 28, left: 64 };

/** A "nice" ceiling for the axis (1, 2 or 5 times a power of ten). */
export function niceCeiling(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** `integer`: counts, whose axis shows only whole numbers. */
export function BarChart(props: { id: string; title: string; points: BarPoint[]; format: (value: number) => string; integer?: boolean; unit?: string }): JSX.Element {
  const { points } = props;
  const top = niceCeiling(Math.max(0, ...points.map((p) => p.value)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(points.length, 1);
  const barW = Math.max(2, slot * 0.7);
  // At most about eight labels under the axis, whatever the number of days.
  const labelEvery = Math.max(1, Math.ceil(points.length / 8));
  const total = points.reduce((sum, p) => sum + p.value, 0);
  const y = (value: number) => PAD.top + plotH - (value / top) * plotH;
  return (
    <figure class="chart" aria-labelledby={`${props.id}-caption`}>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${props.id}-caption`} preserveAspectRatio="xMidYMid meet">
        {[0, 0.5, 1].filter((f) => !props.integer || Number.isInteger(top * f)).map((f) => (
          <g class="gridline">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(top * f)} y2={y(top * f)} />
            <text x={PAD.left - 6} y={y(top * f) + 4} text-anchor="end" safe>
              {props.format(top * f)}
            </text>
          </g>
        ))}
        {points.map((p, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          const h = Math.max(0, PAD.top + plotH - y(p.value));
          return (
            <g class="bar">
              <rect x={x.toFixed(1)} y={(PAD.top + plotH - h).toFixed(1)} width={barW.toFixed(1)} height={h.toFixed(1)}>
                <title safe>{`${p.label}: ${props.format(p.value)}`}</title>
              </rect>
              {(points.length - 1 - i) % labelEvery === 0 ? (
                <text class="axis-label" x={(x + barW / 2).toFixed(1)} y={HEIGHT - 8} text-anchor="middle" safe>
                  {p.label}
                </text>
              ) : (
                ''
              )}
            </g>
          );
        })}
      </svg>
      <figcaption id={`${props.id}-caption`} safe>
        {`${props.title}: ${props.format(total)} in ${points.length} ${props.unit ?? 'days'}`}
      </figcaption>
    </figure>
  );
}
