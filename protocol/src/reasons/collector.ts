/**
 * Reasons the collector writes when it judges members of an indicator (rules/members.ts,
 * rules/evaluate.ts), among them the verdict of the ministry's protection policy
 * (collector/src/policy/protection.ts), computed from the agents' product facts at evaluation
 * time, for the portals of the report, and the parameters rule files give them. A rule file's
 * `reason:` expression names codes of this file; their parameters are the member's scalar facts
 * (system.hosts, system.ipv6ReadyHosts, ...).
 */
import type { ReasonCatalogue } from './reason.js';

export const COLLECTOR_REASONS = {
  HOST_STALE: {
    vi: 'Máy không gửi báo cáo từ {lastSeen} (quá {hours} giờ)',
    en: 'No report since {lastSeen} (more than {hours} hours)',
  },
  PROTECTION_PROBE_FAILED: {
    vi: 'Không rõ trạng thái bảo vệ: probe bảo vệ của agent bị lỗi ({error})',
    en: 'Protection unknown: the agent’s protection probe failed ({error})',
  },
  PROTECTION_PROBE_NOT_RUN: {
    vi: 'Không rõ trạng thái bảo vệ: agent không chạy probe bảo vệ',
    en: 'Protection unknown: the agent did not run its protection probe',
  },
  PROTECTION_NOT_PROTECTED: {
    vi: 'Chưa được bảo vệ (agent không gửi mã lý do; xem bằng chứng)',
    en: 'Not protected (the agent sent no reason code; see the evidence)',
  },
  SYSTEM_UNCLASSIFIED: {
    vi: 'Agent khai báo nhưng chưa có trong danh mục hệ thống thông tin: chưa phân loại',
    en: 'Declared by agents but not in the registry: unclassified',
  },
  SYSTEM_LEVEL_NOT_DETERMINED: {
    vi: 'Chưa xác định cấp độ',
    en: 'Security level not determined',
  },
  SYSTEM_LEVEL_NOT_APPROVED: {
    vi: 'Chưa có quyết định phê duyệt cấp độ',
    en: 'No approval decision for the level',
  },
  SYSTEM_LEVEL_PENDING_APPROVAL: {
    vi: 'Đã trình hồ sơ đề xuất cấp độ {proposedLevel}, chưa có quyết định phê duyệt',
    en: 'Dossier proposing level {proposedLevel} submitted, no approval decision yet',
  },
  SYSTEM_PLAN_NOT_DEPLOYED: {
    vi: 'Chưa triển khai phương án bảo vệ theo cấp độ',
    en: 'Protection plan of the level not deployed',
  },
  BASELINE_LEVEL_UNKNOWN: {
    vi: 'Chưa xác định cấp độ nên chưa biết các kiểm tra cơ sở bắt buộc',
    en: 'Security level not determined: the required baseline checks are unknown',
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
  BASELINE_CHECK_FAILED: {
    vi: '{host}: không đạt kiểm tra cơ sở {check} (bắt buộc từ cấp độ {checkLevel})',
    en: '{host}: baseline check {check} failed (required from level {checkLevel})',
  },
  BASELINE_CHECK_UNKNOWN: {
    vi: '{host}: không xác định được kết quả kiểm tra cơ sở {check} (bắt buộc từ cấp độ {checkLevel})',
    en: '{host}: baseline check {check} could not be determined (required from level {checkLevel})',
  },
  PORTAL_NO_REPORTS: {
    vi: 'Chưa có agent nào báo cáo cho các máy chủ của cổng này',
    en: 'No agent reports for this portal’s hosts',
  },
  PORTAL_HOSTS_NOT_READY: {
    vi: '{ipv6ReadyHosts}/{hosts} máy chủ sẵn sàng IPv6 (máy quá hạn báo cáo tính là chưa sẵn sàng)',
    en: '{ipv6ReadyHosts}/{hosts} hosts IPv6-ready (stale hosts count as not ready)',
  },
  PORTAL_HOST_STALE: {
    vi: '{host}: quá hạn báo cáo',
    en: '{host}: stale',
  },
  PORTAL_HOST_NOT_READY: {
    vi: '{host}: mức sẵn sàng IPv6 {level}/4',
    en: '{host}: IPv6 readiness level {level}/4',
  },
  PORTAL_HOST_READINESS_UNKNOWN: {
    vi: '{host}: không rõ mức sẵn sàng IPv6 (probe IPv6 lỗi hoặc không chạy)',
    en: '{host}: IPv6 readiness unknown (the IPv6 probe failed or did not run)',
  },
  // The ipv6_portals rule's reasons (rules/directive-2022.rules.yaml): the outside view decides.
  PORTAL_NOT_PROBED_NO_REPORTS: {
    vi: 'Chưa đo IPv6 từ bên ngoài (cần portal.urls trong danh mục và mục portals của collector); chỉ có góc nhìn từ máy chủ: chưa có agent nào báo cáo',
    en: 'No outside IPv6 probe of this portal yet (registry portal.urls and the collector’s portals section); only the hosts’ view exists: no agent reports for its hosts',
  },
  PORTAL_NOT_PROBED: {
    vi: 'Chưa đo IPv6 từ bên ngoài (cần portal.urls trong danh mục và mục portals của collector); chỉ có góc nhìn từ máy chủ: {ipv6ReadyHosts}/{hosts} máy chủ sẵn sàng IPv6',
    en: 'No outside IPv6 probe of this portal yet (registry portal.urls and the collector’s portals section); only the hosts’ view exists: {ipv6ReadyHosts}/{hosts} hosts IPv6-ready',
  },
  PORTAL_PROBE_TOO_OLD: {
    vi: 'Lần đo IPv6 từ bên ngoài gần nhất đã cách {portalAgeHours} giờ (quá 48 giờ không được tính): bộ dò cổng thông tin của collector có đang chạy không?',
    en: 'The newest outside IPv6 probe is {portalAgeHours} h old (older than 48 h does not count): is the collector’s portal prober running?',
  },
  PORTAL_OUTSIDE_LEVEL: {
    vi: 'Đo từ bên ngoài qua IPv6: mức {portalLevel}',
    en: 'Outside view over IPv6: level {portalLevel}',
  },
  RULE_NOT_MET: {
    vi: 'Không đáp ứng điều kiện của chỉ tiêu',
    en: 'Does not meet the indicator’s condition',
  },
  RULE_EVAL_FAILED: {
    vi: 'Không đánh giá được điều kiện của chỉ tiêu ({field}): dữ liệu agent chưa báo cáo được tính là chưa đạt',
    en: 'The indicator’s condition could not be evaluated ({field}): facts the agent did not report count as failing',
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

/** A code of this file (what rule files may name in `reason:`). */
export type CollectorReasonCode = keyof typeof COLLECTOR_REASONS;
