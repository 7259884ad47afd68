import { describe, expect, it } from 'vitest';
import { readiness } from './readiness.js';
import { CRITERIA, type CheckResult, type CheckStatus, type Criterion } from './types.js';

const checks = (over: Partial<Record<Criterion, CheckStatus>> = {}): CheckResult[] =>
  CRITERIA.map((criterion) => {
    const status = over[criterion] ?? 'pass';
    return { criterion, status, reasons: status === 'pass' ? [] : [{ code: `X_${criterion.toUpperCase()}` }], evidence: {}, ms: 1 };
  });

describe('portal readiness levels', () => {
  it.each<[string, Partial<Record<Criterion, CheckStatus>>, string, string[]]>([
    ['everything passes', {}, 'ready', []],
    ['no MX (n/a) still ready', { mail_aaaa: 'n/a', mail_reachable: 'n/a' }, 'ready', []],
    ['no AAAA', { web_aaaa: 'fail', web_reachable: 'fail', tls: 'fail' }, 'none', ['X_WEB_AAAA']],
    ['443 closed over IPv6', { web_reachable: 'fail', web_ports: 'fail', http_status: 'fail' }, 'address', ['X_WEB_REACHABLE', 'X_HTTP_STATUS']],
    ['different page', { web_same_content: 'fail' }, 'reachable', ['X_WEB_SAME_CONTENT']],
    ['expired certificate', { tls: 'fail' }, 'reachable', ['X_TLS']],
    ['one name server without AAAA', { ns_aaaa: 'fail', ns_reachable: 'fail' }, 'web', ['X_NS_AAAA', 'X_NS_REACHABLE']],
    ['MX not measured is not a pass', { mail_reachable: 'unreachable' }, 'web', ['X_MAIL_REACHABLE']],
    ['a lower level failing hides the higher ones', { web_aaaa: 'fail', ns_aaaa: 'fail' }, 'none', ['X_WEB_AAAA']],
    ['web AAAA not measured: unknown, not none', { web_aaaa: 'unreachable' }, 'unknown', ['X_WEB_AAAA']],
  ])('%s', (_what, over, level, blocking) => {
    const r = readiness(checks(over));
    expect(r.level).toBe(level);
    expect(r.ready).toBe(level === 'ready');
    expect(r.blocking.map((b) => b.code)).toEqual(blocking);
  });

  it('nothing measured at all is unknown with the reasons', () => {
    const all = CRITERIA.map((criterion) => ({ criterion, status: 'unreachable' as const, reasons: [{ code: 'PORTAL_UNREACHABLE', params: { detail: 'x' } }], evidence: {}, ms: 0 }));
    expect(readiness(all)).toEqual({ level: 'unknown', ready: false, blocking: [{ code: 'PORTAL_UNREACHABLE', params: { detail: 'x' } }] });
  });
});
