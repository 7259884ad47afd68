/** Reasons raised by the agent's baseline checks. */
import type { ReasonCatalogue } from './reason.js';

export const BASELINE_REASONS = {
  BASELINE_NOT_READ: {
    vi: 'Không đọc được trạng thái ({what})',
    en: 'The state could not be read ({what})',
  },
} as const satisfies ReasonCatalogue;
