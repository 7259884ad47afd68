/** The report's words in Vietnamese (default) and English, and the Vietnamese number format. */
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
    at: 'Số liệu tại',
    requested: 'tính đến',
    fromHistory: 'Số liệu lấy từ lịch sử đánh giá đã lưu; danh sách chi tiết không được lưu theo thời điểm.',
    portals: 'Cổng thông tin chưa sẵn sàng IPv6',
    baseline: 'Hệ thống chưa đạt yêu cầu cơ bản theo cấp độ',
    portalHosts: 'máy chủ sẵn sàng',
    perUnit: 'Chi tiết theo đơn vị',
    none: 'Không có',
    more: 'và',
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
    at: 'Status at',
    requested: 'as of',
    fromHistory: 'Figures from the stored evaluation history; member lists are not kept per time.',
    portals: 'Portals not IPv6 ready',
    baseline: 'Systems whose hosts do not meet the baseline of their level',
    portalHosts: 'hosts ready',
    perUnit: 'Per unit',
    none: 'None',
    more: 'and',
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
 * Vietnamese for the reasons the collector itself writes (rules/members.ts, model.ts). Reasons
 * that agents send (e.g. "ClamAV: not protecting (not running)") are shown as reported.
 */
const REASONS_VI: [RegExp, string][] = [
  [/^security level not determined$/, 'chưa xác định cấp độ'],
  [/^no approval decision for the level$/, 'chưa có quyết định phê duyệt cấp độ'],
  [/^protection plan of the level not deployed$/, 'chưa triển khai phương án bảo vệ theo cấp độ'],
  [/^declared by agents but not in the registry: unclassified$/, 'agent khai báo nhưng chưa có trong danh mục: chưa phân loại'],
  [/^stale: no report since (.+)$/, 'quá hạn: không báo cáo từ $1'],
  [/^no agent reports serving this portal$/, 'chưa có agent nào báo cáo phục vụ cổng này'],
  [/^(.+): IPv6 readiness (.+)$/, '$1: mức sẵn sàng IPv6 $2'],
  [/^(.+): stale$/, '$1: quá hạn báo cáo'],
  [/^does not meet the condition$/, 'không đáp ứng điều kiện'],
  // rules/members.ts renders these from the codes BASELINE_LEVEL_NOT_MET and BASELINE_NO_REPORTING_HOST (protocol/src/reasons/collector.ts).
  [/^Baseline of level (\d+) not met: (\d+) check\(s\) failing or unknown on (\d+)\/(\d+) host\(s\)$/, 'chưa đạt yêu cầu cơ bản của cấp độ $1: $2 kiểm tra chưa đạt hoặc chưa xác định trên $3/$4 máy'],
  [/^No reporting host: the baseline checks of level (\d+) cannot be verified$/, 'không có máy chủ nào đang báo cáo: chưa kiểm chứng được các kiểm tra cơ sở của cấp độ $1'],
  // The ipv6_portals rule's reasons (rules/directive.rules.yaml).
  [
    /^no outside IPv6 probe of this portal yet \(registry portal\.urls and the collector's portals section\); only the hosts' view exists: no agent reports for its hosts$/,
    'chưa đo IPv6 từ bên ngoài (cần portal.urls trong danh mục và mục portals của collector); chỉ có góc nhìn từ máy chủ: chưa có agent nào báo cáo',
  ],
  [
    /^no outside IPv6 probe of this portal yet \(registry portal\.urls and the collector's portals section\); only the hosts' view exists: (\d+)\/(\d+) hosts IPv6-ready$/,
    'chưa đo IPv6 từ bên ngoài (cần portal.urls trong danh mục và mục portals của collector); chỉ có góc nhìn từ máy chủ: $1/$2 máy chủ sẵn sàng IPv6',
  ],
  [/^outside view over IPv6: level (.+)$/, 'đo từ bên ngoài qua IPv6: mức $1'],
  [
    /^the newest outside IPv6 probe is (\d+) h old \(older than 48 h does not count\): is the collector's portal prober running\?$/,
    'lần đo IPv6 từ bên ngoài gần nhất đã cách $1 giờ (quá 48 giờ không được tính): bộ dò cổng thông tin của collector có đang chạy không?',
  ],
];

export function reason(text: string, lang: Lang): string {
  if (lang === 'en') return text;
  for (const [re, vi] of REASONS_VI) if (re.test(text)) return text.replace(re, vi);
  return text;
}

export const reasons = (list: readonly string[], lang: Lang): string => list.map((r) => reason(r, lang)).join('; ');
