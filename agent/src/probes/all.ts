/** The probe registry: one line per probe, in the order they run. */
import type { Probe } from '../probe.js';
import { hostProbe } from './host/index.js';
import { membershipProbe } from './membership/index.js';
import { protectionProbe } from './protection/index.js';
import { ipv6Probe } from './ipv6/index.js';
import { baselineProbe } from './baseline/index.js';

export const allProbes: readonly Probe[] = [hostProbe, membershipProbe, protectionProbe, ipv6Probe, baselineProbe] as Probe[];
