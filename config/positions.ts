import { isMap, isSeq, type LineCounter, type Document, type Node, type Pair, type YAMLMap } from 'yaml';

export type ConfigPath = ReadonlyArray<string | number>;

/** `pipelines.deals.services.stages[3].robots[0].template`: how users read a place in YAML. */
export function formatPath(path: ConfigPath): string {
  return (
    path.reduce<string>((text, key) => {
      if (typeof key === 'number') return `${text}[${key}]`;
      return text === '' ? key : `${text}.${key}`;
    }, '') || '(root)'
  );
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
      const pair = pairAt(node, String(step));
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
    const pair = pairAt(node, key);
    if (pair && (pair.key as Node)?.range) best = pair.key as Node;
  }
  const offset = best?.range?.[0] ?? 0;
  return lineCounter.linePos(offset);
}

/**
 * The pair of a mapping by key, through an index built once per mapping: a file with 40,000
 * unknown keys has 40,000 issues to place, and a scan per issue would make that quadratic.
 * The first pair wins, as a scan would find it.
 */
const pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairAt(map: YAMLMap, key: string): Pair | undefined {
  let index = pairIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const item of map.items) {
      const text = keyText(item.key);
      if (!index.has(text)) index.set(text, item);
    }
    pairIndexes.set(map, index);
  }
  return index.get(key);
}

function keyText(key: unknown): string {
  if (key && typeof key === 'object' && 'value' in key) return String((key as { value: unknown }).value);
  return String(key);
}
