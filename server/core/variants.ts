import { createHash } from 'node:crypto';

/**
 * The variant of an A/B split an item gets, pure and deterministic: a hash of the item and the
 * split robot's id picks a point in the weights, so every worker, every retry and every re-entry
 * picks the same one, and two splits of one item are independent of each other.
 */
export function chooseVariant(item: { kind: string; id: number }, splitId: string, weights: ReadonlyArray<readonly [string, number]>): string {
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  if (weights.length === 0 || total <= 0) throw new Error(`split ${splitId} has no variant with a weight`);
  const digest = createHash('sha256').update(`${item.kind}:${item.id}:${splitId}`).digest();
  // 48 bits of the hash, a point in [0, 1): even across the weights, whatever the ids look like.
  const point = (digest.readUIntBE(0, 6) / 2 ** 48) * total;
  let upTo = 0;
  for (const [variant, weight] of weights) {
    upTo += weight;
    if (point < upTo) return variant;
  }
  return weights[weights.length - 1]![0];
}
