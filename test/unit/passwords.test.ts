import { hashPassword, needsRehash, SCRYPT, verifyPassword } from '../../server/auth/passwords';
import { TEST_SCRYPT } from '../support/passwords';

describe('password hashes keep their own cost', () => {
  it.each([
    ['hashed at the production cost, checked by a server at the test cost', SCRYPT, TEST_SCRYPT],
    ['hashed at the test cost, checked by a server at the production cost', TEST_SCRYPT, SCRYPT],
  ])('%s: the right password passes, a wrong one fails', async (_case, hashedAt, checkedAt) => {
    const stored = await hashPassword('correct horse battery', hashedAt);
    expect(stored).toMatch(new RegExp(`^\\$scrypt\\$ln=${hashedAt.ln},r=${hashedAt.r},p=${hashedAt.p}\\$`));
    expect(await verifyPassword('correct horse battery', stored, checkedAt)).toBe(true);
    expect(await verifyPassword('correct horse batter', stored, checkedAt)).toBe(false);
    // A server at another cost re-hashes at its own at the next sign-in.
    expect(needsRehash(stored, checkedAt)).toBe(true);
    expect(needsRehash(stored, hashedAt)).toBe(false);
  });

  it('an unknown login is checked against a stand-in at the server’s cost and signs nobody in', async () => {
    expect(await verifyPassword('correct horse battery', null, TEST_SCRYPT)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'not a hash', TEST_SCRYPT)).toBe(false);
  });
});
