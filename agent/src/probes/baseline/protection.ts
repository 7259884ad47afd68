/**
 * protection.endpoint: the verdict of the protection probe of the same cycle (it runs before
 * baseline). If that probe failed or is disabled, the check is unknown, never a pass.
 */
import type { CheckFamily } from './check.js';
import { fail, pass, unknown } from './check.js';

const ID = 'protection.endpoint';

export const protectionFamily: CheckFamily = {
  name: 'protection',
  ids: [ID],
  platforms: ['linux', 'win32'],
  async run({ earlier }) {
    const p = earlier.protection;
    if (!p) return [unknown(ID, 'the protection probe did not report in this cycle (failed, timed out or disabled)')];
    const ev = p.reasons.join('; ') || (p.protected ? 'protected' : 'not protected');
    return [p.protected ? pass(ID, ev) : fail(ID, ev)];
  },
};
