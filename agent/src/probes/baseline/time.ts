/**
 * time.synchronized: the clock follows a real time source. Linux: chronyd's own view first
 * when chronyd runs (`chronyc -n tracking` and `sources`: a `local stratum` reference is not a
 * source), else
 * `timedatectl show` (the kernel's sync flag, as systemd-timesyncd sets it), else `ntpq -pn`,
 * else running daemons. Windows: `w32tm /query /status` (source and last successful sync).
 */
import type { CommandResult, SystemReader } from '../../system.js';
import type { CheckFamily, CheckOutcome } from './check.js';
import { fail, okOut, pass, systemdRunning, unknown, whyFailed } from './check.js';
import { powershell } from '../common/powershell.js';

const ID = 'time.synchronized';
const DAEMONS = ['systemd-timesyn', 'chronyd', 'ntpd', 'openntpd', 'ntpsec'];

/**
 * `chronyc -n tracking` (and `sources`): Reference ID 0 or "Not synchronised" means no time
 * source; 7F7F0101 is chrony's own `local` reference: the clock follows itself while tracking
 * reports "Normal" (and the kernel, hence timedatectl, is told it is synchronised). A real
 * source is a server/peer (`^`/`=`) or a reference clock (`#`) marked `*` in `sources`.
 */
export function chronyTracking(text: string, sources?: string | null): CheckOutcome {
  const ref = text.match(/^Reference ID\s*:\s*(\S+)(?:\s*\(([^)]*)\))?/m);
  const leap = text.match(/^Leap status\s*:\s*(.+)$/m)?.[1]?.trim() ?? '?';
  const stratum = text.match(/^Stratum\s*:\s*(\d+)/m)?.[1];
  const offset = text.match(/^System time\s*:\s*(.+)$/m)?.[1]?.trim();
  const ev = `chronyc tracking: reference ${ref?.[2] || ref?.[1] || '?'}, stratum ${stratum ?? '?'}, leap status ${leap}${offset ? `, ${offset}` : ''}`;
  if (!ref || /^0+$/.test(ref[1]!) || /not synchronised/i.test(leap)) return fail(ID, `${ev}: chrony has no usable time source`);
  if (/^7F7F0101$/i.test(ref[1]!)) return fail(ID, `${ev}: chrony follows its own clock (\`local stratum\` with no reachable source); add a server or pool line`);
  if (sources !== undefined && sources !== null) {
    const selected = sources.split('\n').find((l) => /^[\^=#]\*/.test(l));
    if (!selected) return fail(ID, `${ev}; chronyc sources: no selected source (no line marked *): the clock is not following any source`);
    return pass(ID, `${ev}; selected source ${selected.slice(2).trim().split(/\s+/)[0]}`);
  }
  return pass(ID, ev);
}

/** `ntpq -pn`: the peer marked `*` is the selected system peer. */
export function ntpqPeers(text: string): CheckOutcome {
  const sys = text.split('\n').find((l) => l.startsWith('*'));
  return sys ? pass(ID, `ntpq: system peer ${sys.slice(1).split(/\s+/)[0]}`) : fail(ID, 'ntpq: no system peer selected (no line marked *)');
}

async function linux(system: SystemReader, processes: ReadonlySet<string>): Promise<CheckOutcome> {
  // chronyd first: with a `local` reference it tells the kernel (and timedatectl) it is synchronised.
  // Only chronyd answers chronyc: with no chronyd running, chronyc is not forked to hear it fail.
  const chronyFirst = processes.has('chronyd') ? okOut(await system.run('chronyc', ['-n', 'tracking'])) : null;
  if (chronyFirst !== null) return chronyTracking(chronyFirst, okOut(await system.run('chronyc', ['-n', 'sources'])));
  const td: CommandResult = (await systemdRunning(system)) ? await system.run('timedatectl', ['show', '-p', 'NTP', '-p', 'NTPSynchronized']) : { kind: 'failed', message: 'systemd is not running (no /run/systemd/system): timedated cannot be asked' };
  const tdOut = okOut(td);
  if (tdOut !== null) {
    const ntp = tdOut.match(/^NTP=(\w+)/m)?.[1];
    const synced = tdOut.match(/^NTPSynchronized=(\w+)/m)?.[1];
    const ev = `timedatectl: NTP=${ntp ?? '?'} NTPSynchronized=${synced ?? '?'}`;
    if (synced === 'yes') return pass(ID, ev);
    if (synced === 'no') return fail(ID, `${ev}${ntp === 'no' ? ': enable it with `timedatectl set-ntp true`' : ': the NTP client has not reached a server'}`);
  }
  const ntpq = okOut(await system.run('ntpq', ['-pn']));
  if (ntpq !== null) return ntpqPeers(ntpq);
  const running = DAEMONS.filter((d) => processes.has(d));
  if (running.length) return unknown(ID, `${running.join(', ')} running but its sync state is unreadable (${whyFailed('timedatectl show', td)})`);
  return fail(ID, `no time synchronisation running: none of systemd-timesyncd, chronyd, ntpd found (${whyFailed('timedatectl show', td)})`);
}

/**
 * `w32tm /query /status`, read without its labels (they are translated: "Stratum", "계층",
 * "Tầng"...). The line order is fixed by w32tm's format strings: 1 leap indicator `N(...)`, 2
 * stratum `N (...)`, and the reference id is the only `0x` + 8 hex digits field. Unsynchronised:
 * leap indicator 3, stratum 0, reference id 0 (none) or 0x4C4F434C ("LOCL", the local CMOS
 * clock, which w32tm reports with stratum 1 and leap indicator 0).
 */
export function w32tmStatus(text: string): CheckOutcome {
  const lines = text.split(/\r?\n/).filter((l) => l.includes(':'));
  const firstInt = (l: string | undefined) => l?.slice(l.indexOf(':') + 1).match(/-?\d+/)?.[0];
  const leap = firstInt(lines[0]);
  const stratum = firstInt(lines[1]);
  const ref = text
    .match(/:\s*(0x[0-9A-Fa-f]{8})/)?.[1]
    ?.toUpperCase()
    .replace('0X', '0x');
  const source = lines[7]?.slice(lines[7].indexOf(':') + 1).trim();
  const ev = `w32tm: leap indicator ${leap ?? '?'}, stratum ${stratum ?? '?'}, reference ${ref ?? '?'}${source ? `, source ${source}` : ''}`;
  if (leap === undefined || stratum === undefined || ref === undefined) return unknown(ID, `${ev} (output not understood)`);
  if (ref === '0x4C4F434C') return fail(ID, `${ev}: Windows Time follows the local CMOS clock; set an NTP source (w32tm /config /manualpeerlist:... /syncfromflags:manual) or the domain hierarchy`);
  if (leap === '3' || stratum === '0' || ref === '0x00000000') return fail(ID, `${ev}: Windows Time has no time source`);
  return pass(ID, ev);
}

export const timeFamily: CheckFamily = {
  name: 'time',
  ids: [ID],
  platforms: ['linux', 'win32'],
  async run({ system, processes }) {
    if (system.platform !== 'win32') return [await linux(system, processes)];
    const r = await powershell(system, 'w32tm /query /status');
    const out = okOut(r);
    return [out === null ? unknown(ID, whyFailed('w32tm /query /status', r)) : w32tmStatus(out)];
  },
};
