import type { ChartDataset } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';
import { Chart } from '../../lib/chart';

/** The colours of the board's palette, distinct for people with the common colour-vision deficiencies. */
export const SERIES_COLOURS = ['#2357c6', '#1f7a3d', '#a42e2e', '#b7791f', '#6b46c1', '#4a5568'];

export interface BarChartProps {
  /** What a screen reader hears for the picture; the table beside it holds the same numbers. */
  label: string;
  labels: string[];
  datasets: Array<{ label: string; data: Array<number | null>; colour?: string }>;
  /** Bars lying down: long stage and reason names stay readable on a phone. */
  horizontal?: boolean;
  stacked?: boolean;
  /** A number on the value axis, in the UI's language (`12,5 ч`). */
  formatValue?: (value: number) => string;
  /** The Chart.js locale for its own numbers (`ru-RU`). */
  locale: string;
}

/**
 * One Chart.js bar chart on a canvas that follows its box: `maintainAspectRatio: false` with a
 * height set by the box, so it shrinks to a 390 px phone without overflowing.
 */
export function BarChart({ label, labels, datasets, horizontal = false, stacked = false, formatValue, locale }: BarChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  const rows = Math.max(labels.length, 1);
  const height = horizontal ? Math.max(160, rows * (stacked ? 34 : 22 * Math.max(datasets.length, 1) + 12) + 60) : 260;

  useEffect(() => {
    if (!canvas.current) return undefined;
    const data = {
      labels,
      datasets: datasets.map((dataset, index): ChartDataset<'bar', Array<number | null>> => ({
        label: dataset.label,
        data: dataset.data,
        backgroundColor: dataset.colour ?? SERIES_COLOURS[index % SERIES_COLOURS.length],
        borderRadius: 3,
        maxBarThickness: 36,
      })),
    };
    const valueAxis = { beginAtZero: true, stacked, ticks: { precision: 0, ...(formatValue ? { callback: (value: string | number) => formatValue(Number(value)) } : {}) } };
    const nameAxis = { stacked, ticks: { autoSkip: false } };
    if (chart.current) {
      chart.current.data = data;
      chart.current.update();
    } else {
      chart.current = new Chart(canvas.current, {
        type: 'bar',
        data,
        options: {
          indexAxis: horizontal ? 'y' : 'x',
          responsive: true,
          maintainAspectRatio: false,
          locale,
          animation: false,
          plugins: { legend: { display: datasets.length > 1, position: 'bottom' } },
          scales: horizontal ? { x: valueAxis, y: nameAxis } : { x: nameAxis, y: valueAxis },
        },
      });
    }
    return undefined;
  }, [labels.join('\u0000'), JSON.stringify(datasets), horizontal, stacked, locale]);

  useEffect(
    () => () => {
      chart.current?.destroy();
      chart.current = null;
    },
    [],
  );

  return (
    // data-series: the numbers drawn, for tests and for people who copy them.
    <div class="chart-box" style={{ height: `${height}px` }} data-series={JSON.stringify(datasets.map((dataset) => dataset.data))}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
