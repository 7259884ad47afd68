/**
 * The directive's two headline indicators, as code until the rule files (rules/*.rules.yaml,
 * CEL expressions) replace them. Same shape as a rule: population, where, pass, target.
 */
import type { HostMember, SystemMember } from './members.js';

export interface IndicatorDef<M> {
  /** Stable id, also the `indicator` tag in InfluxDB. */
  id: string;
  /** TT of the row in the directive's appendix table. */
  tt: number;
  title: { vi: string; en: string };
  basis: string;
  population: M extends HostMember ? 'hosts' : 'systems';
  where: (m: M) => boolean;
  pass: (m: M) => boolean;
  target: number;
  due: string | null;
}

export const endpointProtection: IndicatorDef<HostMember> = {
  id: 'endpoint_protection',
  tt: 12,
  title: { vi: 'Tỷ lệ thiết bị đầu cuối được cài đặt giải pháp bảo vệ', en: 'Endpoints with a protection solution installed' },
  basis: 'Quyết định số 2224/QĐ-BGTVT ngày 27/12/2021',
  population: 'hosts',
  where: (h) => h.role === 'server' || h.role === 'workstation',
  pass: (h) => h.protected,
  target: 0.9,
  due: '2022-12-31',
};

export const systemsClassified: IndicatorDef<SystemMember> = {
  id: 'systems_classified',
  tt: 11,
  title: {
    vi: 'Tỷ lệ hệ thống thông tin được xác định cấp độ và triển khai phương án bảo vệ theo cấp độ',
    en: 'Information systems with a security level determined and its protection plan deployed',
  },
  basis: 'Quyết định số 2224/QĐ-BGTVT ngày 27/12/2021; Nghị định 85/2016/NĐ-CP',
  population: 'systems',
  where: () => true,
  pass: (s) => s.registered && s.level !== null && s.approved && s.planDeployed,
  target: 0.7,
  due: '2022-12-31',
};
