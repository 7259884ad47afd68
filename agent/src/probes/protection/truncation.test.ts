/**
 * Every recorded output, cut short at many points and garbled: the probe must still return
 * schema-valid facts (no crash) and must never turn a host that is not protected into a
 * protected one. Cut outputs of protected hosts may stay protected only when the cut kept the
 * fields that matter; JSON cut anywhere must lose the verdict.
 */
import { describe, expect, it } from 'vitest';
import { ok, type Fixture } from '../../../../testing/fixture-system.js';
import { collect, formatListToMpJson, fx } from './testkit.js';

interface Machine {
  name: string;
  output: string;
  json: boolean;
  spec: (output: string) => Fixture;
}

const linux = (now: string, extra: Partial<Fixture>): Fixture => ({ platform: 'linux', now: new Date(now), ...extra });
const proc = (...comms: string[]) => comms.map((comm) => ({ comm }));
const win = (now: string, wsc: string, mp: string): Fixture => ({
  platform: 'win32',
  now: new Date(now),
  commands: [
    { match: 'SecurityCenter2', result: ok(wsc) },
    { match: 'Get-MpComputerStatus', result: ok(mp) },
  ],
});
const MP_2209 = formatListToMpJson(fx('windows/mpstatus-4.18.2209.7-docs.txt'), 'dmy');

const machines: Machine[] = [
  ...['linux/falconctl-6.24.12104.0.txt', 'linux/falconctl-5.34.9918.0-rfm.txt', 'linux/falconctl-rfm-modules-not-found.txt'].map((f) => ({
    name: f,
    output: fx(f),
    json: false,
    spec: (o: string) => linux('2024-01-01T00:00:00Z', { files: { '/opt/CrowdStrike/falconctl': '' }, running: proc('falcon-sensor'), commands: [{ match: 'falconctl', result: ok(o) }] }),
  })),
  {
    name: 'mdatp health 101.23062 (passive flag flipped to active)',
    output: fx('linux/mdatp-health-101.23062.0010.json')
      .replace('"passiveModeEnabled":{"displayValue":true,"isManaged":false,"value":true}', '"passiveModeEnabled":{"displayValue":true,"isManaged":false,"value":false}')
      .replace('"realTimeProtectionEnabled":{"displayValue":true,"isManaged":false,"value":false}', '"realTimeProtectionEnabled":{"displayValue":true,"isManaged":false,"value":true}'),
    json: true,
    spec: (o) => linux('2023-08-09T13:39:13Z', { running: proc('wdavdaemon'), commands: [{ match: 'mdatp health', result: ok(o) }] }),
  },
  {
    name: 'sentinelctl control status',
    output: fx('linux/sentinelone-30.1.1.10/control-status.txt'),
    json: false,
    spec: (o) =>
      linux('2024-01-01T00:00:00Z', {
        files: { '/opt/sentinelone/bin/sentinelctl': '' },
        running: proc('s1-agent'),
        commands: [
          { match: 'control status', result: ok(o) },
          { match: 'engines status', result: ok(fx('linux/sentinelone-30.1.1.10/engines-status.txt')) },
        ],
      }),
  },
  {
    name: 'ESET upd --list-modules',
    output: fx('linux/eset-eea-12.0.13.0/upd-list-modules.txt'),
    json: false,
    spec: (o) => linux('2025-09-10T10:10:10Z', { files: { '/opt/eset/eea/bin/upd': '' }, running: proc('startd', 'oaeventd'), commands: [{ match: '--list-modules', result: ok(o) }] }),
  },
  {
    name: 'kesl-control --app-info (file monitoring set running)',
    output: fx('linux/kesl-10.1.0.5960-app-info.txt').replace('Available and stopped', 'Available and running'),
    json: false,
    spec: (o) => linux('2018-08-24T04:11:00Z', { files: { '/opt/kaspersky/kesl/bin/kesl-control': '' }, running: proc('kesl'), commands: [{ match: 'kesl-control', result: ok(o) }] }),
  },
  {
    name: 'ClamAV daily.cvd header',
    output: fx('linux/clamav-daily-25784.cvd-header.txt'),
    json: false,
    spec: (o) =>
      linux('2020-04-17T11:58:59Z', {
        files: { '/usr/sbin/clamd': '', '/var/lib/clamav/daily.cvd': o },
        dirs: { '/var/lib/clamav': ['daily.cvd'] },
        running: proc('clamd', 'clamonacc'),
      }),
  },
  { name: 'Get-MpComputerStatus 4.18.2209.7', output: MP_2209, json: true, spec: (o) => win('2022-10-19T09:18:29Z', JSON.stringify({ __error: 'Invalid namespace' }), o) },
  { name: 'SecurityCenter2 397568', output: fx('windows/wsc-defender-397568.json'), json: true, spec: (o) => win('2022-10-19T09:18:29Z', o, JSON.stringify({ __error: '0x800106ba' })) },
];

const cuts = (s: string) => [...new Set([0, 1, 7, Math.floor(s.length / 4), Math.floor(s.length / 2), Math.floor((3 * s.length) / 4), s.length - 2])].filter((n) => n >= 0 && n < s.length);

describe('cut and garbled outputs never crash and never make a host protected', () => {
  it.each(machines)('$name', async (m) => {
    const full = await collect(m.spec(m.output));
    for (const n of cuts(m.output)) {
      const cut = await collect(m.spec(m.output.slice(0, n)));
      if (!full.facts.protected || m.json) expect(cut.facts.protected, `cut at ${n} of ${m.output.length}`).toBe(false);
      for (const p of cut.facts.products) if (!p.protects) expect(cut.facts.reasons.some((r) => r.startsWith(p.name))).toBe(true);
    }
    for (const garbage of ['\u0000\u0001\u0002', '<html>502 Bad Gateway</html>', '{"a":', 'null', '[]', '"\\u0000"']) {
      const g = await collect(m.spec(garbage));
      expect(g.facts.protected, `garbage ${JSON.stringify(garbage)}`).toBe(false);
    }
  });
});
