/** membership: the unit and information systems this host belongs to, from the agent config. */
import type { Probe } from '../../probe.js';
import { inferRole } from '../host/index.js';

export const membershipProbe: Probe<'membership'> = {
  name: 'membership',
  description: 'unit, information systems and role, from the agent config',
  timeoutMs: 1_000,
  async collect({ config, earlier }) {
    const host = earlier.host;
    return {
      unit: config.unit,
      systems: [...config.systems],
      role: config.role ?? host?.role ?? inferRole('linux', ''),
    };
  },
};
