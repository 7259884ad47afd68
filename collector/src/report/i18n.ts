/** The report's words in Vietnamese (default) and English, and the Vietnamese number format. */
import { reasonText, type FailReason } from '../rules/reasons.js';

export { reasonText };
import type { Lang, ScopeRow } from './model.js';

export const T = {
  vi: {
    tt: 'TT',
    indicator: 'Chỉ tiêu',
    basis: 'Căn cứ',
    target: 'Mục tiêu',
    actual: 'Thực tế',
    result: 'Kết quả',
    met: 'Đạt',
    notMet: 'Chưa đạt',
    noData: 'Chưa có dữ liệu',
    unit: 'Đơn vị',
    ministry: 'Toàn Bộ',
    due: 'Thời hạn',
    below: 'Đơn vị chưa đạt mục tiêu',
    failing: 'Chưa đạt',
    title: 'Phụ lục: tình hình thực hiện các chỉ tiêu',
    subtitle: 'Tình hình thực hiện các chỉ tiêu',
    at: 'Số liệu tại',
    requested: 'tính đến',
    fromHistory: 'Số liệu lấy từ lịch sử đánh giá đã lưu; danh sách chi tiết không được lưu theo thời điểm.',
    portals: 'Cổng thông tin chưa sẵn sàng IPv6',
    portalHosts: 'máy chủ sẵn sàng',
    perUnit: 'Chi tiết theo đơn vị',
    none: 'Không có',
    more: 'và',
    evidence: 'bằng chứng do agent gửi',
    directive: 'Đánh giá theo',
    compared: 'So sánh với số liệu tại',
    change: 'Thay đổi',
    previous: 'Kỳ trước',
    noCompare: 'Không có số liệu kỳ trước để so sánh',
    overdue: 'quá hạn',
    dueShort: 'hạn',
    notes: 'Ghi chú',
    attached: 'Kèm theo Văn bản số',
    dated: 'ngày',
    appendix: 'PHỤ LỤC',
    belowNote: 'Các đơn vị chưa đạt mục tiêu',
    notSubmitted: 'Các đơn vị chưa trình phê duyệt hồ sơ',
    pendingApproval: 'Các đơn vị đã trình hồ sơ, chưa được phê duyệt',
    notDeployed: 'Các đơn vị chưa triển khai phương án bảo vệ theo cấp độ',
    unclassified: 'Các đơn vị có hệ thống chưa có trong danh mục',
    systemsWord: 'hệ thống',
    chartBars: 'Tỷ lệ theo đơn vị so với mục tiêu',
    chartTrend: 'Diễn biến toàn Bộ',
    targetLine: 'mục tiêu',
    noHistoryChart: 'chưa có lịch sử đánh giá',
    dateBlank: '… tháng … năm',
    baseline: 'Hệ thống chưa đạt yêu cầu cơ bản theo cấp độ',
  },
  en: {
    tt: 'No.',
    indicator: 'Indicator',
    basis: 'Legal basis',
    target: 'Target',
    actual: 'Actual',
    result: 'Result',
    met: 'Met',
    notMet: 'Not met',
    noData: 'No data',
    unit: 'Unit',
    ministry: 'Ministry-wide',
    due: 'Due',
    below: 'Units below target',
    failing: 'Not meeting',
    title: 'Appendix: status of the indicators',
    subtitle: 'Status of the indicators',
    at: 'Status at',
    requested: 'as of',
    fromHistory: 'Figures from the stored evaluation history; member lists are not kept per time.',
    portals: 'Portals not IPv6 ready',
    portalHosts: 'hosts ready',
    perUnit: 'Per unit',
    none: 'None',
    more: 'and',
    evidence: 'evidence sent by the agent',
    directive: 'Measured against',
    compared: 'Compared with the figures at',
    change: 'Change',
    previous: 'Before',
    noCompare: 'No earlier figures to compare with',
    overdue: 'overdue',
    dueShort: 'due',
    notes: 'Notes',
    attached: 'Attached to document no.',
    dated: 'dated',
    appendix: 'APPENDIX',
    belowNote: 'Units below target',
    notSubmitted: 'Units that have not submitted their level dossier for approval',
    pendingApproval: 'Units whose dossier awaits approval',
    notDeployed: 'Units that have not deployed the protection plan of the level',
    unclassified: 'Units with systems not in the registry',
    systemsWord: 'systems',
    chartBars: 'Per unit against the target',
    chartTrend: 'Ministry-wide trend',
    targetLine: 'target',
    noHistoryChart: 'no evaluation history yet',
    dateBlank: '…/…/',
    baseline: 'Systems whose hosts do not meet the baseline of their level',
  },
} as const;

/** 0.673 -> "67,3%" (vi) or "67.3%" (en); null (no data) -> "—". */
export function percent(r: number | null, lang: Lang): string {
  if (r === null) return '—';
  const s = (Math.round(r * 1000) / 10).toFixed(1).replace(/\.0$/, '');
  return `${lang === 'vi' ? s.replace('.', ',') : s}%`;
}

export const status = (s: { met: boolean | null }, lang: Lang): string => (s.met === null ? T[lang].noData : s.met ? T[lang].met : T[lang].notMet);

export const scopeName = (s: ScopeRow, lang: Lang): string => (s.scope === 'ministry' ? T[lang].ministry : s.name);

/** +8.6 -> "tăng 8,6 điểm %" (vi) or "up 8.6 pp" (en); 0 -> "không đổi"; null -> "—". */
export function change(points: number | null, lang: Lang): string {
  if (points === null) return '—';
  const n = Math.abs(points).toFixed(1).replace(/\.0$/, '');
  const num = lang === 'vi' ? n.replace('.', ',') : n;
  if (points === 0) return lang === 'vi' ? 'không đổi' : 'unchanged';
  if (lang === 'vi') return `${points > 0 ? 'tăng' : 'giảm'} ${num} điểm %`;
  return `${points > 0 ? 'up' : 'down'} ${num} pp`;
}

/** A date (YYYY-MM-DD) as the reader writes it: 31/12/2022 (vi) or 2022-12-31 (en). */
export const day = (d: string, lang: Lang): string => (lang === 'vi' ? d.split('-').reverse().join('/') : d);

/** "67,3% (37/55)" */
export const actual = (s: ScopeRow, lang: Lang): string => `${percent(s.ratio, lang)} (${s.pass}/${s.total})`;

/**
 * Times are shown in Vietnam time (UTC+7, no daylight saving), the ministry's clock:
 * 2026-04-30T10:00:00.000Z -> "30/04/2026 17:00 (UTC+7)" (vi) or "2026-04-30 17:00 (UTC+7)" (en).
 */
export function when(iso: string, lang: Lang): string {
  const d = new Date(Date.parse(iso) + VN_OFFSET_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  const hm = `${p(d.getUTCHours())}:${p(d.getUTCMinutes())} (UTC+7)`;
  return lang === 'vi' ? `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${hm}` : `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${hm}`;
}

export const VN_OFFSET_MS = 7 * 3600_000;

/** The most failing members a footnote lists before "and N more". */
export const MAX_LISTED = 200;

/**
 * A failing member's reasons in the reader's language, from the one catalogue of reason codes
 * (protocol/src/reasons/). An agent's text that no code describes follows as evidence, quoted
 * and labelled as such: it is what the agent said, not the report's words.
 */
export const reason = (r: FailReason, lang: Lang): string => reasonText(r, lang) + (r.evidence ? ` (${T[lang].evidence}: “${r.evidence}”)` : '');

export const reasons = (list: readonly FailReason[], lang: Lang): string => list.map((r) => reason(r, lang)).join('; ');
