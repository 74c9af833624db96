import { normalizePhone } from '../server/core/contact-keys';
import { say } from './messages';
import type { ReferenceProblem } from './references';
import type { Config } from './schema';

/**
 * Users' phones are dialled (auto_callback) and matched as written by people: stored in E.164,
 * read with the config's `default_region`, so `+7 900 000-01-01` and `8 900 000 01 01` are one
 * number and Twilio gets what it accepts. A phone that is no number is an error at its place.
 */
export function normalizeUserPhones(config: Config): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  config.users.forEach((user, index) => {
    if (user.phone === undefined) return;
    const e164 = normalizePhone(user.phone, config.default_region);
    if (e164) user.phone = e164;
    else problems.push({ path: ['users', index, 'phone'], message: say('not_a_phone', { phone: user.phone, region: config.default_region }) });
  });
  return problems;
}
