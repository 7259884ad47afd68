/**
 * Reasons the collector writes when it judges members of an indicator (rules/members.ts,
 * rules/evaluate.ts), for the portals of the report, and the parameters rule files give them.
 * A rule file's `reason:` expression names codes of this file; their parameters are the
 * member's scalar facts (system.hosts, system.ipv6ReadyHosts, ...).
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
  RULE_NOT_MET: {
    vi: 'Không đáp ứng điều kiện của chỉ tiêu',
    en: 'Does not meet the indicator’s condition',
  },
  RULE_EVAL_FAILED: {
    vi: 'Không đánh giá được điều kiện của chỉ tiêu ({field}): dữ liệu agent chưa báo cáo được tính là chưa đạt',
    en: 'The indicator’s condition could not be evaluated ({field}): facts the agent did not report count as failing',
  },
} as const satisfies ReasonCatalogue;

/** A code of this file (what rule files may name in `reason:`). */
export type CollectorReasonCode = keyof typeof COLLECTOR_REASONS;
