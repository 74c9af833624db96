import { closest } from 'fastest-levenshtein';

/** `unknown stage "hto" (did you mean "hot"?)`, or the known names when nothing is close. */
export function unknownName(kind: string, value: string, known: Iterable<string>, shown = 12): string {
  const candidates = [...known];
  const suggestion = candidates.length > 0 ? closest(value, candidates) : undefined;
  const hint = suggestion && distanceIsSmall(value, suggestion) ? ` (did you mean "${suggestion}"?)` : candidates.length ? ` (known: ${candidates.slice(0, shown).join(', ')})` : '';
  return `unknown ${kind} "${value}"${hint}`;
}

function distanceIsSmall(a: string, b: string): boolean {
  let shared = 0;
  for (const char of new Set(a)) if (b.includes(char)) shared += 1;
  return shared >= Math.min(a.length, b.length) * 0.6;
}
