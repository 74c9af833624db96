import type { ScryptParameters } from '../../server/auth/passwords';

/**
 * The cheapest scrypt a stored hash may name (N = 2^10, r = 8, p = 1): a millisecond, where the
 * production cost takes a fifth of a second and the sign-in tests hash and check hundreds of times.
 * Harnesses use it unless a test measures the real cost.
 */
export const TEST_SCRYPT: ScryptParameters = { ln: 10, r: 8, p: 1 };
