/** Reasons the collector writes when it judges members of an indicator. */
import type { ReasonCatalogue } from './reason.js';

export const COLLECTOR_REASONS = {
  HOST_STALE: {
    vi: 'Máy không gửi báo cáo từ {lastSeen} (quá {hours} giờ)',
    en: 'No report since {lastSeen} (more than {hours} hours)',
  },
} as const satisfies ReasonCatalogue;
