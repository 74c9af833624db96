/**
 * Autocomplete and hover words for robots.yaml from its JSON Schema (GET /api/config/schema, made
 * from the zod schema): where the cursor is, by the keys above it, and what the schema says there.
 * Block and flow style (`- { id: x, type: notify }`) are both read.
 */

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
};

const KEY_LINE = /^(\s*)((?:-\s+)*)([A-Za-z_$][\w$-]*)\s*:(\s|$)/;

function deref(root: JsonSchema, node: JsonSchema | undefined): JsonSchema | undefined {
  let current = node;
  for (let guard = 0; current?.$ref && guard < 20; guard++) {
    const name = current.$ref.replace(/^#\/(\$defs|definitions)\//, '');
    current = root.$defs?.[name] ?? root.definitions?.[name];
  }
  return current;
}

/** The schema and its alternatives (anyOf/oneOf/allOf), flattened. */
function alternatives(root: JsonSchema, node: JsonSchema | undefined): JsonSchema[] {
  const resolved = deref(root, node);
  if (!resolved) return [];
  const nested = [...(resolved.anyOf ?? []), ...(resolved.oneOf ?? []), ...(resolved.allOf ?? [])];
  return [resolved, ...nested.flatMap((branch) => alternatives(root, branch))];
}

function intoArrays(root: JsonSchema, node: JsonSchema | undefined): JsonSchema | undefined {
  let current = deref(root, node);
  for (let guard = 0; guard < 5; guard++) {
    const array = alternatives(root, current).find((branch) => branch.items);
    if (!array?.items) break;
    current = deref(root, array.items);
  }
  return current;
}

/** The schema of the object the keys lead to (arrays stepped into on the way). */
export function schemaAt(root: JsonSchema, keys: string[]): JsonSchema | undefined {
  let node: JsonSchema | undefined = root;
  for (const key of keys) {
    const branches = alternatives(root, node);
    const found = branches.map((branch) => branch.properties?.[key]).find(Boolean) ?? branches.map((branch) => (typeof branch.additionalProperties === 'object' ? branch.additionalProperties : undefined)).find(Boolean);
    if (!found) return undefined;
    node = intoArrays(root, found);
  }
  return node;
}

/** The properties an object may have; of a union's branches, those whose `type` matches the one written. */
export function propertiesOf(root: JsonSchema, node: JsonSchema | undefined, writtenType: string | null): Record<string, JsonSchema> {
  const branches = alternatives(root, node).filter((branch) => branch.properties);
  const matching = writtenType ? branches.filter((branch) => deref(root, branch.properties?.type)?.const === writtenType) : [];
  const chosen = matching.length > 0 ? matching : branches;
  return Object.assign({}, ...chosen.map((branch) => branch.properties));
}

export function valuesOf(root: JsonSchema, node: JsonSchema | undefined): string[] {
  const values = new Set<string>();
  for (const branch of alternatives(root, node)) {
    for (const value of branch.enum ?? []) values.add(String(value));
    if (branch.const !== undefined) values.add(String(branch.const));
    if (branch.type === 'boolean') ['true', 'false'].forEach((value) => values.add(value));
  }
  return [...values];
}

export function descriptionOf(root: JsonSchema, node: JsonSchema | undefined): string | undefined {
  return alternatives(root, node).find((branch) => branch.description)?.description;
}

/** Where a position is: the keys of the objects around it, the object's own text (to see `type:`), and what is being typed. */
export interface Place {
  keys: string[];
  /** The text of the object the cursor is in (its flow braces, or its block lines so far). */
  objectText: string;
  /** Typing a value of this key (after `key: `), or null when typing a key. */
  valueOf: string | null;
  /** The word being typed and where it starts. */
  word: string;
  from: number;
}

function ancestors(lines: string[], lineIndex: number, column: number): { keys: string[]; objectStart: number } {
  const keys: string[] = [];
  let target = column;
  let objectStart = lineIndex;
  for (let index = lineIndex - 1; index >= 0 && target > 0; index--) {
    const line = lines[index] ?? '';
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const match = KEY_LINE.exec(line);
    const indent = (match?.[1] ?? /^\s*/.exec(line)?.[0] ?? '').length;
    const keyColumn = match ? indent + (match[2]?.length ?? 0) : indent;
    if (keyColumn < target) {
      if (!match) {
        target = indent;
        continue;
      }
      keys.unshift(match[3]!);
      target = match[2] ? indent : keyColumn;
      if (keys.length === 1) objectStart = index + 1;
    } else if (keyColumn === target && keys.length === 0) {
      objectStart = index;
    }
  }
  return { keys, objectStart };
}

export function placeAt(text: string, position: number): Place {
  const before = text.slice(0, position);
  const lines = text.split('\n');
  const lineIndex = before.split('\n').length - 1;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineText = before.slice(lineStart);
  const word = /[\w$-]*$/.exec(lineText)?.[0] ?? '';
  const from = position - word.length;
  const open = lineText.lastIndexOf('{');
  if (open > lineText.lastIndexOf('}')) {
    // Inside `{ … }` on this line: the object is this line's item (or its key's value).
    const head = lineText.slice(0, open);
    const keyOnLine = KEY_LINE.exec(head);
    const indent = /^\s*(?:-\s+)*/.exec(head)?.[0].length ?? 0;
    const { keys } = ancestors(lines, lineIndex, indent);
    if (
      keyOnLine &&
      head
        .trim()
        .replace(/^(-\s+)*/, '')
        .endsWith(':')
    )
      keys.push(keyOnLine[3]!);
    const inside = lineText.slice(open + 1);
    const segment = inside.slice(inside.lastIndexOf(',') + 1);
    const valueMatch = /^\s*([\w$-]+)\s*:\s*[\w$-]*$/.exec(segment);
    const rest = lines[lineIndex]?.slice(lineText.length) ?? '';
    return { keys, objectText: `${inside}${rest.slice(0, rest.indexOf('}') + 1 || undefined)}`, valueOf: valueMatch ? valueMatch[1]! : null, word, from };
  }
  const valueMatch = /^\s*(?:-\s+)*([\w$-]+)\s*:\s*[\w$-]*$/.exec(lineText);
  const indent = /^\s*(?:-\s+)*/.exec(lineText)?.[0].length ?? 0;
  const { keys, objectStart } = ancestors(lines, lineIndex, indent);
  const objectText = lines.slice(objectStart, lineIndex + 1).join('\n');
  return { keys, objectText, valueOf: valueMatch ? valueMatch[1]! : null, word, from };
}

export function writtenTypeIn(objectText: string): string | null {
  return /(?:^|[\s{,])type\s*:\s*([\w-]+)/m.exec(objectText)?.[1] ?? null;
}

export interface Suggestion {
  label: string;
  detail?: string;
  info?: string;
  kind: 'key' | 'value';
}

export function suggestionsAt(root: JsonSchema, text: string, position: number): { from: number; options: Suggestion[] } | null {
  const place = placeAt(text, position);
  const object = schemaAt(root, place.keys);
  if (!object) return null;
  const properties = propertiesOf(root, object, writtenTypeIn(place.objectText));
  if (place.valueOf) {
    const key = place.valueOf;
    // The type itself is being chosen: every branch's, not the one half typed.
    const branches = key === 'type' ? alternatives(root, object).filter((branch) => branch.properties?.[key]) : [{ properties }];
    const values = [...new Set(branches.flatMap((branch) => valuesOf(root, branch.properties?.[key])))];
    return values.length ? { from: place.from, options: values.map((label) => ({ label, kind: 'value' })) } : null;
  }
  const written = new Set([...place.objectText.matchAll(/(?:^|[\s{,-])([\w$-]+)\s*:/gm)].map((match) => match[1]));
  const options = Object.entries(properties)
    .filter(([key]) => !written.has(key) || key === place.word)
    .map(([key, schema]) => ({ label: key, info: descriptionOf(root, schema), kind: 'key' as const }));
  return options.length ? { from: place.from, options } : null;
}

/** The description of the key under the cursor (hover). */
export function describeAt(root: JsonSchema, text: string, position: number): { from: number; to: number; key: string; description: string } | null {
  const lineStart = text.lastIndexOf('\n', position - 1) + 1;
  const lineEnd = text.indexOf('\n', position) === -1 ? text.length : text.indexOf('\n', position);
  const line = text.slice(lineStart, lineEnd);
  const offset = position - lineStart;
  const left = /[\w$-]*$/.exec(line.slice(0, offset))?.[0] ?? '';
  const right = /^[\w$-]*/.exec(line.slice(offset))?.[0] ?? '';
  const key = left + right;
  if (!key || !/^\s*:/.test(line.slice(offset + right.length))) return null;
  const from = lineStart + offset - left.length;
  const place = placeAt(text, from);
  const object = schemaAt(root, place.keys);
  const properties = propertiesOf(root, object, writtenTypeIn(place.objectText));
  const description = descriptionOf(root, properties[key]);
  return description ? { from, to: from + key.length, key, description } : null;
}
