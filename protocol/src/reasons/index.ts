/**
 * The one catalogue of reason codes, split by who raises them. Each file is owned by one area:
 * add a code next to the code that raises it, in both languages.
 */
import type { ReasonCatalogue } from './reason.js';
import { PROTECTION_REASONS } from './protection.js';
import { IPV6_REASONS } from './ipv6.js';
import { BASELINE_REASONS } from './baseline.js';
import { COLLECTOR_REASONS } from './collector.js';

export * from './reason.js';
export { PROTECTION_REASONS, IPV6_REASONS, BASELINE_REASONS, COLLECTOR_REASONS };

const parts: readonly ReasonCatalogue[] = [PROTECTION_REASONS, IPV6_REASONS, BASELINE_REASONS, COLLECTOR_REASONS];

/** Every code, with a check that no two files define the same one. */
export const REASONS: ReasonCatalogue = (() => {
  const all: Record<string, ReasonCatalogue[string]> = {};
  for (const part of parts) {
    for (const [code, text] of Object.entries(part)) {
      if (all[code]) throw new Error(`reason code ${code} is defined twice in protocol/src/reasons/`);
      all[code] = text;
    }
  }
  return all;
})();
