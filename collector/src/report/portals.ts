/**
 * The report's list of portals with their IPv6 criteria as measured from outside by the portal
 * prober (src/portals/), in Vietnamese or English: one row per portal, one column per
 * criterion, the level, and what blocks the next level (reason codes rendered in the report's
 * language). The hosts' view (agents on the portal's servers) is shown beside it.
 */
import { REASONS, renderReason } from '@posture/protocol';
import { CRITERIA, type CheckStatus, type Criterion, type PortalLevel } from '../portals/types.js';
import { when } from './i18n.js';
import type { AppendixReport, Lang, PortalStatus } from './model.js';

export const PORTAL_T = {
  vi: {
    title: 'Cổng thông tin: tiêu chí IPv6 đo từ bên ngoài',
    note: 'Đo như người dân dùng mạng chỉ có IPv6 (tiêu chí của bài kiểm tra Internet.nl, thêm chứng thư số qua IPv6 và mã trạng thái HTTP).',
    portal: 'Cổng',
    unit: 'Đơn vị',
    level: 'Mức',
    probedAt: 'Đo lúc',
    hosts: 'Máy chủ (agent) sẵn sàng',
    blocking: 'Vướng mắc',
    notProbed: 'chưa đo từ bên ngoài',
    criteria: {
      ns_aaaa: 'Máy chủ tên miền có AAAA',
      ns_reachable: 'Máy chủ tên miền trả lời qua IPv6',
      web_aaaa: 'Web có AAAA',
      web_reachable: 'Web kết nối được qua IPv6',
      web_ports: 'Cùng cổng như IPv4',
      web_same_content: 'Cùng nội dung như IPv4',
      tls: 'Chứng thư số qua IPv6',
      http_status: 'Mã trạng thái HTTP',
      mail_aaaa: 'Máy chủ thư có AAAA',
      mail_reachable: 'Máy chủ thư nhận kết nối qua IPv6',
    } satisfies Record<Criterion, string>,
    status: { pass: 'Đạt', fail: 'Không đạt', unreachable: 'Không đo được', 'n/a': 'Không áp dụng' } satisfies Record<CheckStatus, string>,
    levels: { none: 'chưa có AAAA', address: 'có AAAA', reachable: 'truy cập được qua IPv6', web: 'web sẵn sàng IPv6', ready: 'sẵn sàng IPv6', unknown: 'chưa đo được' } satisfies Record<PortalLevel, string>,
  },
  en: {
    title: 'Portals: IPv6 criteria measured from outside',
    note: "Measured as a citizen on an IPv6-only network sees it (Internet.nl's open test criteria, plus the certificate over IPv6 and the HTTP status).",
    portal: 'Portal',
    unit: 'Unit',
    level: 'Level',
    probedAt: 'Probed at',
    hosts: 'Hosts (agents) ready',
    blocking: 'Blocking',
    notProbed: 'not probed from outside',
    criteria: {
      ns_aaaa: 'Name servers with AAAA',
      ns_reachable: 'Name servers answer over IPv6',
      web_aaaa: 'Web AAAA',
      web_reachable: 'Web reachable over IPv6',
      web_ports: 'Same ports as IPv4',
      web_same_content: 'Same content as IPv4',
      tls: 'Certificate over IPv6',
      http_status: 'HTTP status',
      mail_aaaa: 'MX with AAAA',
      mail_reachable: 'MX reachable over IPv6',
    } satisfies Record<Criterion, string>,
    status: { pass: 'pass', fail: 'fail', unreachable: 'not measured', 'n/a': 'n/a' } satisfies Record<CheckStatus, string>,
    levels: { none: 'no AAAA', address: 'AAAA published', reachable: 'reachable over IPv6', web: 'web IPv6-ready', ready: 'IPv6-ready', unknown: 'not measured' } satisfies Record<PortalLevel, string>,
  },
} as const;

export interface PortalRowText {
  portal: string;
  unit: string;
  level: string;
  probedAt: string;
  hosts: string;
  /** One cell per criterion, in CRITERIA order. */
  cells: string[];
  blocking: string[];
}

/** Every portal's row as text in `lang`: the one place both renderings take their words from. */
export function portalRows(r: AppendixReport, lang: Lang): PortalRowText[] {
  const t = PORTAL_T[lang];
  return (r.portals ?? []).map((p: PortalStatus) => {
    const o = p.outside;
    const by = new Map(o?.checks.map((c) => [c.criterion, c.status]) ?? []);
    return {
      portal: `${p.name} (${p.id})`,
      unit: r.units.find((u) => u.id === p.unit)?.name ?? p.unit,
      level: o ? t.levels[o.level] : t.notProbed,
      probedAt: o ? when(o.probedAt, lang) : '—',
      hosts: `${p.readyHosts}/${p.hosts}`,
      cells: CRITERIA.map((c) => (by.has(c) ? t.status[by.get(c)!] : '—')),
      blocking: (o?.blocking ?? []).map((b) => renderReason(b, lang, REASONS)),
    };
  });
}

export const portalHeader = (lang: Lang): string[] => {
  const t = PORTAL_T[lang];
  return [t.portal, t.unit, t.level, ...CRITERIA.map((c) => t.criteria[c]), t.hosts, t.probedAt];
};
