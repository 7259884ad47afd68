/**
 * membership: the unit and information systems this host belongs to, and its role, from the
 * agent config (validated at start: unknown keys and bad ids are refused there, naming the
 * key). The collector trusts the credential's unit, not this one; a mismatch is its business.
 */
import type { HostFacts } from '@posture/protocol';
import type { Probe } from '../../probe.js';
import { inferRole } from '../host/index.js';

const familyOf = (p: NodeJS.Platform): HostFacts['os']['family'] => (p === 'win32' ? 'windows' : p === 'linux' ? 'linux' : p === 'darwin' ? 'darwin' : 'other');

export const membershipProbe: Probe<'membership'> = {
  name: 'membership',
  description: 'unit, information systems and role, from the agent config',
  timeoutMs: 1_000,
  async collect({ config, earlier, system }) {
    return {
      unit: config.unit,
      systems: [...config.systems],
      // Configured role first; else the host probe's inference; else (host probe failed) the
      // platform's default, never a silent "server" for a Windows client.
      role: config.role ?? earlier.host?.role ?? inferRole(familyOf(system.platform), ''),
    };
  },
};
