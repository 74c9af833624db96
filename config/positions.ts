import { isMap, isSeq, LineCounter, Document, Node } from 'yaml';

export type ConfigPath = ReadonlyArray<string | number>;

/** `pipelines.deals.services.stages[3].robots[0].template`: how users read a place in YAML. */
export function formatPath(path: ConfigPath): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? key : `${text}.${key}`;
  }, '') || '(root)';
}

/**
 * Line and column of the node at `path`, or of the nearest ancestor that exists (a missing
 * key is reported where its parent is). When `key` is given, points at that key itself.
 */
export function locate(document: Document, lineCounter: LineCounter, path: ConfigPath, key?: string): { line: number; col: number } {
  let node: unknown = document.contents;
  let best: Node | null = (document.contents as Node | null) ?? null;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(step));
      if (!pair) break;
      node = pair.value ?? pair.key;
      best = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof step === 'number' && node.items[step] !== undefined) {
      node = node.items[step];
      best = node as Node;
    } else {
      break;
    }
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((item) => keyText(item.key) === key);
    if (pair && (pair.key as Node)?.range) best = pair.key as Node;
  }
  const offset = best?.range?.[0] ?? 0;
  return lineCounter.linePos(offset);
}

function keyText(key: unknown): string {
  if (key && typeof key === 'object' && 'value' in key) return String((key as { value: unknown }).value);
  return String(key);
}
