/** Reasons raised by the agent's IPv6 probe and the collector's portal prober. */
import type { ReasonCatalogue } from './reason.js';

export const IPV6_REASONS = {
  IPV6_DISABLED: {
    vi: 'IPv6 bị tắt ({by})',
    en: 'IPv6 is disabled ({by})',
  },
} as const satisfies ReasonCatalogue;
