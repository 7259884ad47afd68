/** Reasons the collector writes when it judges members of an indicator. */
import type { ReasonCatalogue } from './reason.js';

export const COLLECTOR_REASONS = {
  HOST_STALE: {
    vi: 'Máy không gửi báo cáo từ {lastSeen} (quá {hours} giờ)',
    en: 'No report since {lastSeen} (more than {hours} hours)',
  },
  // Baseline checks of a system judged at its level (collector/src/rules/baseline-level.ts).
  BASELINE_LEVEL_NOT_MET: {
    vi: 'Chưa đạt yêu cầu cơ bản của cấp độ {level}: {checks} kiểm tra chưa đạt hoặc chưa xác định trên {hosts}/{reporting} máy',
    en: 'Baseline of level {level} not met: {checks} check(s) failing or unknown on {hosts}/{reporting} host(s)',
  },
  BASELINE_NO_REPORTING_HOST: {
    vi: 'Không có máy chủ nào đang báo cáo: chưa kiểm chứng được các kiểm tra cơ sở của cấp độ {level}',
    en: 'No reporting host: the baseline checks of level {level} cannot be verified',
  },
  BASELINE_FACTS_MISSING: {
    vi: '{host}: thiếu dữ liệu kiểm tra cơ sở (probe lỗi hoặc không chạy)',
    en: '{host}: baseline facts missing (probe failed or not run)',
  },
  BASELINE_BELOW_LEVEL_MINIMUM: {
    vi: '{value} < {threshold} (mức tối thiểu của cấp độ {level})',
    en: '{value} < {threshold} (the minimum at level {level})',
  },
  BASELINE_RESULT_UNKNOWN: {
    vi: 'không xác định được kết quả (agent không gửi lý do)',
    en: 'result could not be determined (the agent sent no reason)',
  },
} as const satisfies ReasonCatalogue;
