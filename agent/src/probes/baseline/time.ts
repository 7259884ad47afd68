/**
 * time.synchronized: the clock follows a time source. Linux: `timedatectl show` (systemd,
 * whichever client it manages), else `chronyc tracking`, else `ntpq -pn`, else running
 * daemons. Windows: `w32tm /query /status` (source and last successful sync).
 */
import type { SystemReader } from '../../system.js';
import type { CheckFamily, CheckOutcome } from './check.js';
import { fail, okOut, pass, unknown, whyFailed } from './check.js';
import { powershell } from '../common/powershell.js';

const ID = 'time.synchronized';
const DAEMONS = ['systemd-timesyn', 'chronyd', 'ntpd', 'openntpd', 'ntpsec'];

/** `chronyc -n tracking`: Reference ID 0 or "Not synchronised" means no time source. */
export function chronyTracking(text: string): CheckOutcome {
  const ref = text.match(/^Reference ID\s*:\s*(\S+)(?:\s*\(([^)]*)\))?/m);
  const leap = text.match(/^Leap status\s*:\s*(.+)$/m)?.[1]?.trim() ?? '?';
  const offset = text.match(/^System time\s*:\s*(.+)$/m)?.[1]?.trim();
  const ev = `chronyc tracking: reference ${ref?.[2] ?? ref?.[1] ?? '?'}, leap status ${leap}${offset ? `, ${offset}` : ''}`;
  if (!ref || /^0+$/.test(ref[1]!) || /not synchronised/i.test(leap)) return fail(ID, `${ev}: chrony has no usable time source`);
  return pass(ID, ev);
}

/** `ntpq -pn`: the peer marked `*` is the selected system peer. */
export function ntpqPeers(text: string): CheckOutcome {
  const sys = text.split('\n').find((l) => l.startsWith('*'));
  return sys ? pass(ID, `ntpq: system peer ${sys.slice(1).split(/\s+/)[0]}`) : fail(ID, 'ntpq: no system peer selected (no line marked *)');
}

async function linux(system: SystemReader, processes: ReadonlySet<string>): Promise<CheckOutcome> {
  const td = await system.run('timedatectl', ['show', '-p', 'NTP', '-p', 'NTPSynchronized']);
  const tdOut = okOut(td);
  if (tdOut !== null) {
    const ntp = tdOut.match(/^NTP=(\w+)/m)?.[1];
    const synced = tdOut.match(/^NTPSynchronized=(\w+)/m)?.[1];
    const ev = `timedatectl: NTP=${ntp ?? '?'} NTPSynchronized=${synced ?? '?'}`;
    if (synced === 'yes') return pass(ID, ev);
    if (synced === 'no') return fail(ID, `${ev}${ntp === 'no' ? ': enable it with `timedatectl set-ntp true`' : ': the NTP client has not reached a server'}`);
  }
  const chrony = okOut(await system.run('chronyc', ['-n', 'tracking']));
  if (chrony !== null) return chronyTracking(chrony);
  const ntpq = okOut(await system.run('ntpq', ['-pn']));
  if (ntpq !== null) return ntpqPeers(ntpq);
  const running = DAEMONS.filter((d) => processes.has(d));
  if (running.length) return unknown(ID, `${running.join(', ')} running but its sync state is unreadable (${whyFailed('timedatectl show', td)})`);
  return fail(ID, `no time synchronisation running: none of systemd-timesyncd, chronyd, ntpd found (${whyFailed('timedatectl show', td)})`);
}

/** `w32tm /query /status`: Source "Local CMOS Clock" or "Free-running System Clock" means unsynchronised. */
export function w32tmStatus(text: string): CheckOutcome {
  const source = text.match(/^Source:\s*(.+)$/m)?.[1]?.trim();
  const last = text.match(/^Last Successful Sync Time:\s*(.+)$/m)?.[1]?.trim();
  const ev = `w32tm: source ${source ?? '?'}, last sync ${last ?? '?'}`;
  if (!source) return unknown(ID, `${ev} (output not understood)`);
  if (/Local CMOS Clock|Free-running System Clock/i.test(source) || /unspecified/i.test(last ?? '')) return fail(ID, `${ev}: Windows Time has no time source`);
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
