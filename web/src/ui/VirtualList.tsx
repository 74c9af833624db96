import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A list of fixed-height rows of which only those in view (and a few either side) are in the
 * DOM: a column of 10,000 leads holds a screenful of cards. `onNearEnd` asks for the next page
 * as the reader nears the last loaded row.
 */
export function VirtualList<Row>({
  rows,
  rowHeight,
  renderRow,
  rowKey,
  onNearEnd,
  label,
  overscan = 4,
}: {
  rows: Row[];
  rowHeight: number;
  renderRow: (row: Row, index: number) => ComponentChildren;
  rowKey: (row: Row) => string | number;
  onNearEnd?: () => void;
  label: string;
  overscan?: number;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });

  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = () => setView({ top: element.scrollTop, height: element.clientHeight || 600 });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(view.top / rowHeight) - overscan);
  const last = Math.min(rows.length, Math.ceil((view.top + view.height) / rowHeight) + overscan);

  useEffect(() => {
    if (onNearEnd && last >= rows.length - overscan) onNearEnd();
  }, [last, rows.length, onNearEnd, overscan]);

  return (
    <div ref={scroller} class="virtual-list" onScroll={(event) => setView({ top: event.currentTarget.scrollTop, height: event.currentTarget.clientHeight })}>
      <ul aria-label={label} style={{ height: `${rows.length * rowHeight}px` }}>
        {rows.slice(first, last).map((row, offset) => (
          <li key={rowKey(row)} style={{ top: `${(first + offset) * rowHeight}px`, height: `${rowHeight}px` }} aria-setsize={rows.length} aria-posinset={first + offset + 1}>
            {renderRow(row, first + offset)}
          </li>
        ))}
      </ul>
    </div>
  );
}
