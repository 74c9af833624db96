/** "STOP" and its Russian equivalents opt a client out of the channel they wrote on. */
const OPT_OUT_WORDS = new Set(['STOP', 'UNSUBSCRIBE', 'СТОП', 'ОТПИСАТЬСЯ', 'ОТПИСКА']);

/** The word alone on the first line counts: an email reply carries the quoted original below it. */
export function isOptOutText(text: string): boolean {
  const firstLine =
    text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .find((line) => line !== '') ?? '';
  return OPT_OUT_WORDS.has(firstLine.replace(/[.!]+$/, '').toUpperCase());
}
