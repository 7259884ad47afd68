/**
 * Reasons the collector writes when it judges members of an indicator, among them the verdict
 * of the ministry's protection policy (collector/src/policy/protection.ts), computed from the
 * agents' product facts at evaluation time.
 */
import type { ReasonCatalogue } from './reason.js';

export const COLLECTOR_REASONS = {
  HOST_STALE: {
    vi: 'Máy không gửi báo cáo từ {lastSeen} (quá {hours} giờ)',
    en: 'No report since {lastSeen} (more than {hours} hours)',
  },
  POLICY_PROTECTING: {
    vi: '{product}: đang bảo vệ (đang chạy, bảo vệ thời gian thực bật, mẫu nhận diện trong giới hạn hoặc EDR không dùng mẫu)',
    en: '{product}: protecting (running, real-time on, signatures within the limit or signatureless EDR)',
  },
  POLICY_NO_PRODUCT: {
    vi: 'Không có sản phẩm phòng chống mã độc hoặc EDR nào trong báo cáo',
    en: 'The report lists no anti-malware or EDR product',
  },
  POLICY_PROBE_FAILED: {
    vi: 'agent không đọc được thông tin bảo vệ ({code})',
    en: 'the agent could not read the protection facts ({code})',
  },
  POLICY_PROBE_MISSING: {
    vi: 'báo cáo không có thông tin bảo vệ',
    en: 'the report carries no protection facts',
  },
  POLICY_NOT_PROTECTION: {
    vi: '{product}: không phải giải pháp phòng chống mã độc/EDR theo chính sách của Bộ',
    en: '{product}: not an anti-malware or EDR product under the ministry policy',
  },
  POLICY_NOT_INSTALLED: {
    vi: '{product}: chưa cài đặt',
    en: '{product}: not installed',
  },
  POLICY_NOT_RUNNING: {
    vi: '{product}: không chạy',
    en: '{product}: not running',
  },
  POLICY_RUNNING_UNKNOWN: {
    vi: '{product}: chưa rõ có đang chạy không',
    en: '{product}: running state unknown',
  },
  POLICY_REALTIME_OFF: {
    vi: '{product}: bảo vệ thời gian thực tắt',
    en: '{product}: real-time protection off',
  },
  POLICY_REALTIME_UNKNOWN: {
    vi: '{product}: chưa rõ bảo vệ thời gian thực',
    en: '{product}: real-time protection unknown',
  },
  POLICY_SIGNATURES_OLD: {
    vi: '{product}: mẫu nhận diện đã {ageHours} giờ tuổi lúc đánh giá (giới hạn {limitHours} giờ)',
    en: '{product}: signatures {ageHours} h old at evaluation (limit {limitHours} h)',
  },
  POLICY_SIGNATURE_AGE_UNKNOWN: {
    vi: '{product}: chưa rõ tuổi mẫu nhận diện',
    en: '{product}: signature age unknown',
  },
  POLICY_VENDOR_FLAG_NOT_ACCEPTED: {
    vi: '{product}: chỉ có cờ "cập nhật" của hãng, không có ngày; chính sách của Bộ không chấp nhận cờ này',
    en: '{product}: only the vendor\'s "up to date" flag, no date; the ministry policy does not accept the flag',
  },
  POLICY_VENDOR_FLAG_EXPIRED: {
    vi: '{product}: cờ "cập nhật" của hãng từ {hours} giờ trước, quá giới hạn {limitHours} giờ',
    en: '{product}: the vendor\'s "up to date" flag is {hours} h old, past the {limitHours} h limit',
  },
  POLICY_VENDOR_FLAG_OUT_OF_DATE: {
    vi: '{product}: hãng báo mẫu nhận diện đã cũ',
    en: '{product}: the vendor flags the signatures as out of date',
  },
  POLICY_AGENT_DISAGREES: {
    vi: 'Agent tự đánh giá được bảo vệ: {agent} (theo cấu hình của máy, giới hạn {agentLimitHours} giờ); theo chính sách của Bộ: {collector}',
    en: "The agent's own verdict, protected: {agent} (its config, limit {agentLimitHours} h); under the ministry policy: {collector}",
  },
  POLICY_IN_FORCE: {
    vi: 'Chính sách bảo vệ: giới hạn tuổi mẫu nhận diện: {days} ngày ({hours} giờ), tính đến lúc đánh giá; chấp nhận cờ "cập nhật" của hãng khi không có ngày: {vendorFlag}; EDR không dùng mẫu: {signatureless}; không tính là bảo vệ: {never}',
    en: 'Protection policy: signature age limit: {days} days ({hours} h), counted to the evaluation time; vendor "up to date" flag without a date accepted: {vendorFlag}; signatureless EDR: {signatureless}; never counted as protection: {never}',
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
