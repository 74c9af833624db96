/**
 * The element at `index` of something a test collected (mails a peer received, calls, rows,
 * issues): the test fails here, saying how many there were, when there are not that many.
 */
export function nth<T>(list: readonly T[], index: number): T {
  const element = list[index];
  if (element === undefined) throw new Error(`expected an element at index ${index}; there are ${list.length}`);
  return element;
}

export function first<T>(list: readonly T[]): T {
  return nth(list, 0);
}
