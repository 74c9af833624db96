import { closest } from 'fastest-levenshtein';
import { render, unknownNameSaid, type Said } from './messages';

/** `unknown stage "hto" (did you mean "hot"?)`, or the known names when nothing is close. */
export function unknownName(kind: string, value: string, known: Iterable<string>, shown = 12): string {
  return render(unknownNameOf(kind, value, known, shown));
}

/** The same as a code and its params, for a config issue (config/messages.ts gives the words). */
export function unknownNameOf(kind: string, value: string, known: Iterable<string>, shown = 12): Said {
  const candidates = [...known];
  const suggestion = candidates.length > 0 ? closest(value, candidates) : undefined;
  return unknownNameSaid(kind, value, suggestion && distanceIsSmall(value, suggestion) ? suggestion : undefined, candidates.slice(0, shown));
}

function distanceIsSmall(a: string, b: string): boolean {
  let shared = 0;
  for (const char of new Set(a)) if (b.includes(char)) shared += 1;
  return shared >= Math.min(a.length, b.length) * 0.6;
}
