/**
 * Windows workstations and servers over recorded outputs of real machines (testdata/README.md):
 * Security Center productState values, Get-MpComputerStatus views, and service lists.
 */
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../system.js';
import { ok, type Fixture } from '../../../../testing/fixture-system.js';
import { decodeProductState } from './windows/securitycenter.js';
import { KNOWN_SERVICES, SERVICES_PIPELINE } from './windows/services.js';
import { collect, expectCase, formatListToMpJson, fx, type ExpectedProduct } from './testkit.js';

/** What our catch block prints for a failed cmdlet (testdata/windows/ps-errors.json, sources in testdata/README.md). */
const PS_ERRORS = JSON.parse(fx('windows/ps-errors.json')) as Record<string, unknown>;
const psError = (name: string) =>
  ok(
    JSON.stringify(
      PS_ERRORS[name] ??
        (() => {
          throw new Error(`no recorded error ${name}`);
        })(),
    ),
  );
const SERVER_WSC = psError('wsc-invalid-namespace-en');
const MP_STOPPED = psError('mp-0x800106ba-en');
const wsc = (...items: { displayName: string; productState: unknown; pathToSignedProductExe?: string }[]) => ok(JSON.stringify(items.length === 1 ? items[0] : items));
const mp = (file: string, order: 'dmy' | 'mdy') => ok(formatListToMpJson(fx(`windows/${file}`), order));
const MP_2209 = () => mp('mpstatus-4.18.2209.7-docs.txt', 'dmy');
/** The service query's answer; productType 3 = server, 1 = workstation. */
const services = (productType: number, svc: unknown[] = [], processes: string[] = []) => ok(JSON.stringify({ services: svc, processes, productType }));
const NO_SERVICES = services(3);
const WORKSTATION = services(1);
const realmjoin = JSON.parse(fx('windows/realmjoin-win10-avproducts.json')).AvProducts.Installed[0] as { Name: string; State: number; Details: unknown };

function windows(now: string, w: CommandResult, m: CommandResult, s: CommandResult = NO_SERVICES): Fixture {
  return {
    platform: 'win32',
    now: new Date(now),
    commands: [
      { match: 'SecurityCenter2', result: w },
      { match: 'Get-MpComputerStatus', result: m },
      { match: 'Win32_Service', result: s },
    ],
  };
}

interface Case {
  name: string;
  spec: Fixture;
  protection?: Record<string, unknown>;
  protected: boolean;
  product?: ExpectedProduct;
  reason?: RegExp;
}

const OCT_2022 = '2022-10-19T09:18:29Z';
/** The real 4.18.2209.7 output with some properties set (named in each case). */
const mpWith = (set: Record<string, unknown>) => ok(JSON.stringify({ ...(JSON.parse(formatListToMpJson(fx('windows/mpstatus-4.18.2209.7-docs.txt'), 'dmy')) as object), ...set }));
const APEX = 'C:\\Program Files (x86)\\Trend Micro\\Security Agent\\PccNTMon.exe';
const cases: Case[] = [
  {
    name: 'Windows 11 workstation: Defender 397568 in Security Center + Get-MpComputerStatus 4.18.2209.7 (real)',
    spec: windows(OCT_2022, ok(fx('windows/wsc-defender-397568.json')), MP_2209()),
    protected: true,
    product: { id: 'defender', running: true, realTime: true, protects: true, signatureAgeHours: 24 },
  },
  {
    name: 'Windows Server 2022: no Security Center, Defender Normal mode (real)',
    spec: windows(OCT_2022, SERVER_WSC, MP_2209()),
    protected: true,
    product: { id: 'defender', realTime: true, protects: true },
    reason: /no Security Center \(Windows Server\)/,
  },
  {
    name: 'Windows Server, Defender in passive mode (real output, AMRunningMode set to Passive Mode)',
    spec: windows(OCT_2022, SERVER_WSC, ok(formatListToMpJson(fx('windows/mpstatus-4.18.2209.7-docs.txt').replace('AMRunningMode                    : Normal', 'AMRunningMode                    : Passive Mode'), 'dmy'))),
    protected: false,
    product: { id: 'defender', running: true, realTime: false, protects: false },
    reason: /real-time protection off/,
  },
  {
    name: 'EDR Block Mode with ForceDefenderPassiveMode=1 (real output, mode and policy set): Defender passive, not real-time',
    spec: windows(OCT_2022, SERVER_WSC, mpWith({ AMRunningMode: 'EDR Block Mode', ForceDefenderPassiveMode: 1 })),
    protected: false,
    product: { id: 'defender', realTime: false, protects: false },
    reason: /real-time protection off/,
  },
  {
    name: 'EDR Block Mode, ForceDefenderPassiveMode not set (real output, mode set): Defender active, its toggle decides',
    spec: windows(OCT_2022, SERVER_WSC, mpWith({ AMRunningMode: 'EDR Block Mode', ForceDefenderPassiveMode: null })),
    protected: true,
    product: { id: 'defender', realTime: true, protects: true },
  },
  {
    name: 'AntivirusSignature* missing (real 4.18.2209.7 output, those fields removed): AntispywareSignature* date the definitions',
    spec: windows(OCT_2022, SERVER_WSC, mpWith({ AntivirusSignatureLastUpdated: null, AntivirusSignatureAge: null, AntivirusSignatureVersion: null })),
    protected: true,
    product: { id: 'defender', realTime: true, protects: true, signatureAgeHours: 24 },
  },
  {
    name: 'AntivirusSignature* and AntispywareSignature* missing: signature age unknown',
    spec: windows(OCT_2022, SERVER_WSC, mpWith({ AntivirusSignatureLastUpdated: null, AntivirusSignatureAge: null, AntispywareSignatureLastUpdated: null, AntispywareSignatureAge: null })),
    protected: false,
    product: { id: 'defender', protects: false, signatureAgeHours: null, unknown: ['signatureAgeHours'] },
  },
  ...(['fr', 'ru', 'vi'] as const).map((lang) => ({
    name: `Windows Server, no Security Center and no Defender, errors in ${lang} (ids decide): no product found, nothing guessed`,
    spec: windows(OCT_2022, psError(`wsc-invalid-namespace-${lang}`), psError(lang === 'vi' ? 'mp-not-recognized-en' : `mp-not-recognized-${lang}`), NO_SERVICES),
    protected: false,
    reason: /no anti-malware or EDR product found[\s\S]*no Security Center \(Windows Server\)/,
  })),
  {
    name: 'a workstation whose Security Center namespace is missing (Vietnamese error): protection unknown, not "no product"',
    spec: windows(OCT_2022, psError('wsc-invalid-namespace-vi'), psError('mp-not-recognized-en'), WORKSTATION),
    protected: false,
    reason: /protection unknown: Security Center failed \(0x8004100E/,
  },
  {
    name: 'Windows Server whose service list cannot be read (Russian access denied): protection unknown, not "no product"',
    spec: windows(OCT_2022, SERVER_WSC, psError('mp-not-recognized-ru'), psError('svc-access-denied-ru')),
    protected: false,
    reason: /protection unknown: service list failed \(0x80041003/,
  },
  ...(['es', 'vi'] as const).map((lang) => ({
    name: `Defender installed with its service stopped, 0x800106BA in ${lang}`,
    spec: windows(OCT_2022, SERVER_WSC, psError(`mp-0x800106ba-${lang}`)),
    protected: false,
    product: { id: 'defender', running: false, realTime: false, protects: false },
  })),
  {
    name: 'Sophos Anti-Virus and Sophos Intercept X registered side by side: two products, two ids',
    spec: windows(
      OCT_2022,
      wsc({ displayName: 'Sophos Anti-Virus', productState: 266240 }, { displayName: 'Sophos Intercept X', productState: 262144 }),
      MP_STOPPED,
      services(1, [
        { Name: 'SAVService', DisplayName: 'Sophos Anti-Virus', State: 'Running', StartMode: 'Auto' },
        { Name: 'Sophos Endpoint Defense Service', DisplayName: 'Sophos Endpoint Defense Service', State: 'Stopped', StartMode: 'Auto' },
      ]),
    ),
    protected: true,
    product: { id: 'sophos-interceptx', running: false, realTime: false, protects: false },
  },
  {
    name: 'Defender 4.18.2104.14 with real-time protection off (real)',
    spec: windows('2021-06-07T10:00:00Z', SERVER_WSC, mp('mpstatus-4.18.2104.14-rtp-off.txt', 'mdy')),
    protected: false,
    product: { id: 'defender', running: true, realTime: false, protects: false, signatureAgeHours: 6.2 },
  },
  {
    name: 'Defender 4.3.9463.0 without AMRunningMode (real, 2013 platform)',
    spec: windows('2013-07-30T12:00:00Z', SERVER_WSC, mp('mpstatus-4.3.9463.0-docs.txt', 'mdy')),
    protected: true,
    product: { id: 'defender', realTime: true, protects: true, signatureAgeHours: 9 },
    reason: /Microsoft Defender Antivirus: protecting/,
  },
  {
    name: 'Windows 10 (RealmJoin): Security Center says up to date, Get-MpComputerStatus says 29 days old (real)',
    spec: windows('2017-09-14T08:00:00Z', wsc({ displayName: realmjoin.Name, productState: realmjoin.State }), ok(JSON.stringify(realmjoin.Details))),
    protected: false,
    product: { id: 'defender', realTime: true, protects: false },
    reason: /signatures 713\.\d h old \(limit 168 h\)/,
  },
  {
    name: 'Defender 393472 (off) next to a third-party AV: Defender stopped (real state value)',
    spec: windows(OCT_2022, wsc({ displayName: 'Windows Defender', productState: 393472 }), MP_STOPPED),
    protected: false,
    product: { id: 'defender', running: false, realTime: false, protects: false },
  },
  {
    name: 'third-party AV 266240 (on, up to date): the vendor flag stands in for the age (real state value)',
    spec: windows(OCT_2022, wsc({ displayName: 'Company Product X', productState: 266240 }), MP_STOPPED),
    protected: true,
    product: { id: 'company-product-x', running: true, realTime: true, protects: true, signatureAgeHours: null, unknown: ['signatureDate'] },
  },
  {
    name: 'the same with trustVendorUpToDate: false',
    spec: windows(OCT_2022, wsc({ displayName: 'Company Product X', productState: 266240 }), MP_STOPPED),
    protection: { trustVendorUpToDate: false },
    protected: false,
    product: { id: 'company-product-x', protects: false },
    reason: /vendor flag not trusted by config/,
  },
  {
    name: 'third-party AV 266256 (on, out of date) (real state value)',
    spec: windows(OCT_2022, wsc({ displayName: 'Kaspersky Endpoint Security for Windows', productState: 266256 }), MP_STOPPED),
    protected: false,
    product: { id: 'kaspersky', realTime: true, protects: false },
    reason: /signatures out of date \(vendor flag\)/,
  },
  {
    name: 'BKAV 397312 (on, up to date) on a workstation (real state value) with BkavService.exe',
    spec: windows(OCT_2022, wsc({ displayName: 'Bkav Pro Internet Security', productState: 397312 }), MP_STOPPED, services(1, [], ['BkavService'])),
    protected: true,
    product: { id: 'bkav', running: true, realTime: true, protects: true },
  },
  {
    name: 'orphan Security Center registration: Apex One uninstalled, its exe gone',
    spec: windows(
      OCT_2022,
      ok(
        JSON.stringify([
          { displayName: 'Trend Micro Apex One Antivirus', productState: 266240, pathToSignedProductExe: APEX },
          { displayName: 'Windows Defender', productState: 397568, pathToSignedProductExe: 'windowsdefender://' },
        ]),
      ),
      MP_2209(),
    ),
    protected: true,
    product: { id: 'trendmicro', running: false, realTime: false, protects: false },
    reason: /Trend Micro Apex One Antivirus: not protecting \(not installed/,
  },
  {
    name: 'the same registration with its exe present is installed and protecting',
    spec: { ...windows(OCT_2022, wsc({ displayName: 'Trend Micro Apex One Antivirus', productState: 266240, pathToSignedProductExe: APEX }), MP_STOPPED), stats: { [APEX]: { mtime: new Date(OCT_2022), size: 1 } } },
    protected: true,
    product: { id: 'trendmicro', running: true, realTime: true, protects: true },
  },
  {
    name: 'Security Center still says Kaspersky is on, but its AVP service is stopped',
    spec: windows(
      OCT_2022,
      wsc({ displayName: 'Kaspersky Endpoint Security for Windows', productState: 266240 }),
      MP_STOPPED,
      ok(JSON.stringify({ services: { Name: 'AVP.KES.12.1.0', DisplayName: 'Kaspersky Endpoint Security Service', State: 'Stopped', StartMode: 'Auto' }, processes: [], productType: 1 })),
    ),
    protected: false,
    product: { id: 'kaspersky', running: false, realTime: false, protects: false },
  },
  {
    name: 'malformed productState',
    spec: windows(OCT_2022, wsc({ displayName: 'Company Product X', productState: 'abc' }), MP_STOPPED),
    protected: false,
    product: { id: 'company-product-x', running: null, realTime: null, protects: false, unknown: ['productState', 'running'] },
  },
  {
    name: 'Get-MpComputerStatus output truncated',
    spec: windows(OCT_2022, SERVER_WSC, ok(formatListToMpJson(fx('windows/mpstatus-4.18.2209.7-docs.txt'), 'dmy').slice(0, 120))),
    protected: false,
    product: { id: 'defender', running: null, realTime: null, protects: false, unknown: ['status', 'realTime'] },
  },
  {
    name: 'PowerShell missing',
    spec: { platform: 'win32', now: new Date(OCT_2022) },
    protected: false,
    reason: /protection unknown: Security Center: powershell\.exe not found/,
  },
  {
    name: 'Windows Server with Falcon running, ESET stopped, CMC processes: found, never protecting by guess',
    spec: windows(
      OCT_2022,
      SERVER_WSC,
      psError('mp-not-recognized-en'),
      services(
        3,
        [
          { Name: 'CSFalconService', DisplayName: 'CrowdStrike Falcon Sensor Service', State: 'Running', StartMode: 'Auto' },
          { Name: 'ekrn', DisplayName: 'ESET Service', State: 'Stopped', StartMode: 'Auto' },
        ],
        ['CMCNECore'],
      ),
    ),
    protected: false,
    product: { id: 'falcon', running: true, realTime: null, protects: false, unknown: ['realTime'] },
  },
];

describe('protection probe on Windows (recorded outputs)', () => {
  it.each(cases)('$name', async (c) => {
    const { facts, system } = await collect(c.spec, c.protection);
    expectCase(facts, c);
    for (const call of system.calls) {
      expect(call.command).toBe('powershell.exe');
      expect(call.args.slice(0, 2)).toEqual(['-NoProfile', '-NonInteractive']);
      expect(call.args.at(-1)).toMatch(/ConvertTo-Json/);
      expect(call.timeoutMs).toBeGreaterThan(0);
    }
  });

  it('branches on error ids, never on the message: the same error in four languages gives the same facts', async () => {
    const facts = await Promise.all(['en', 'fr', 'ru', 'vi'].map(async (lang) => (await collect(windows(OCT_2022, psError(`wsc-invalid-namespace-${lang}`), MP_2209(), WORKSTATION))).facts));
    const shape = (f: (typeof facts)[number]) => ({ protected: f.protected, products: f.products.map((p) => [p.id, p.protects]), codes: f.reasonCodes?.map((r) => r.code), unknown: f.unknown?.map((u) => [u.field, u.reasonCode?.code]) });
    for (const f of facts) expect(shape(f)).toEqual(shape(facts[0]!));
    expect(facts[0]!.unknown).toEqual([expect.objectContaining({ field: 'products', reasonCode: { code: 'PROTECTION_ENUMERATION_FAILED', params: { source: 'SecurityCenter2 (0x8004100E)' } } })]);
  });

  it('gives both Sophos registrations in Security Center distinct ids', async () => {
    const { facts } = await collect(windows(OCT_2022, wsc({ displayName: 'Sophos Anti-Virus', productState: 266240 }, { displayName: 'Sophos Intercept X', productState: 266240 }), MP_STOPPED));
    expect(facts.products.map((p) => p.id).sort()).toEqual(['defender', 'sophos-av', 'sophos-interceptx']);
  });

  it('emits reason codes for every verdict and every unknown field', async () => {
    const { facts } = await collect(windows(OCT_2022, SERVER_WSC, mpWith({ AMRunningMode: 'EDR Block Mode', ForceDefenderPassiveMode: 1 })));
    expect(facts.reasonCodes).toEqual(
      expect.arrayContaining([{ code: 'PROTECTION_REALTIME_OFF', params: { product: 'Microsoft Defender Antivirus' } }, expect.objectContaining({ code: 'PROTECTION_DEFENDER_PASSIVE' }), { code: 'PROTECTION_NO_SECURITY_CENTER' }]),
    );
    for (const p of facts.products) for (const u of p.unknown) expect(u.reasonCode?.code).toMatch(/^PROTECTION_/);
  });

  it('decodes the productState values seen in the field', () => {
    expect(decodeProductState(397568)).toMatchObject({ state: 'on', upToDate: true, windowsOwned: true, hex: '0x061100' });
    expect(decodeProductState(393472)).toMatchObject({ state: 'off', upToDate: true, windowsOwned: true });
    expect(decodeProductState(266256)).toMatchObject({ state: 'on', upToDate: false, windowsOwned: false });
    expect(decodeProductState(0x062100)).toMatchObject({ state: 'snoozed' });
    expect(decodeProductState(0x063100)).toMatchObject({ state: 'expired' });
    expect(decodeProductState(0x064100)).toMatchObject({ state: null });
    expect(decodeProductState(-1)).toBeNull();
    expect(decodeProductState(2 ** 25)).toBeNull();
  });

  it('the PowerShell service filter and the service table agree on every known service name', () => {
    const psRegex = new RegExp(SERVICES_PIPELINE.match(/-match '([^']+)'/)![1]!, 'i');
    const names = ['AVP', 'AVP.KES.12.1.0', 'ekrn', 'ntrtscan', 'ds_agent', 'SAVService', 'Sophos Endpoint Defense Service', 'SEDService', 'CSFalconService', 'SentinelAgent', 'BkavService', 'SepMasterService'];
    for (const n of names) {
      expect(psRegex.test(n), n).toBe(true);
      expect(
        KNOWN_SERVICES.some((k) => k.match.test(n)),
        n,
      ).toBe(true);
    }
    for (const n of ['AVPX', 'wuauserv', 'WinDefend', 'klnagent']) expect(psRegex.test(n), n).toBe(false);
  });

  it('reports macOS as unsupported instead of guessing', async () => {
    await expect(collect({ platform: 'darwin', now: new Date() })).rejects.toMatchObject({ code: 'UNSUPPORTED_OS' });
  });
});
