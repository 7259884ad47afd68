/** The rules and alerting config keys: defaults filled, mistakes named by key. */
import { describe, expect, it } from 'vitest';
import { type ConfigError, validateConfig } from '../config.js';

const base = { dataDir: '/tmp/x', units: [{ id: 'A', name: 'Cục A' }] };
const problems = (extra: Record<string, unknown>) => {
  try {
    validateConfig({ ...base, ...extra }, 'collector.yaml', '/etc/posture');
  } catch (e) {
    return (e as ConfigError).problems;
  }
  return [];
};

describe('rules and alerting config', () => {
  it('fills defaults and resolves rule paths against the config file', () => {
    const c = validateConfig({ ...base, rules: { files: ['rules'] }, alerting: { email: { host: 'smtp', from: 'p@x.vn', to: ['soc@x.vn'] }, webhook: { url: 'https://soc/hook' } } }, 'collector.yaml', '/etc/posture');
    expect(c.rules).toEqual({ files: ['/etc/posture/rules'], resolvedResendMinutes: 15 });
    expect(c.alerting!.email).toMatchObject({ port: 25, secure: false, lang: 'vi', timeoutMs: 10_000 });
    expect(c.alerting!.webhook).toMatchObject({ timeoutMs: 5000 });
  });

  it('names unknown keys, bad URLs, short secrets and bad languages', () => {
    expect(problems({ alerting: { alertmanager: { url: 'http://am:9093' } } })).toEqual(expect.arrayContaining(['unknown key "alerting.alertmanager.url": remove it or check its spelling']));
    expect(problems({ alerting: { webhook: { url: 'soc/hook', secret: 'short' } } })).toEqual(expect.arrayContaining([expect.stringMatching(/^key "alerting\.webhook\.url": /), expect.stringMatching(/^key "alerting\.webhook\.secret": .*16/)]));
    expect(problems({ alerting: { email: { host: 'smtp', from: 'p@x.vn', to: ['soc@x.vn'], lang: 'fr' } } })).toEqual(expect.arrayContaining([expect.stringMatching(/^key "alerting\.email\.lang": /)]));
    expect(problems({ rules: { files: [] } })).toEqual(expect.arrayContaining([expect.stringMatching(/^key "rules\.files": .*1/)]));
  });
});
