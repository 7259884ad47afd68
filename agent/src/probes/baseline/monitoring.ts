/**
 * - integrity.aide_initialised: a file integrity monitor is installed and has a baseline
 *   database to compare against (AIDE without `aideinit` checks nothing);
 * - integrity.aide_scheduled: the comparison runs on its own: the dailyaidecheck/aidecheck
 *   systemd timer is enabled, or the cron.daily script exists and cron is running (a cron
 *   script without a cron daemon never runs);
 * - logging.remote: logs leave the host: rsyslog (or syslog-ng) is running with a network
 *   action, and for TCP/RELP targets a connection to that port is established now
 *   (/proc/net/tcp), since rsyslog keeps one open while delivering; or systemd-journal-upload
 *   is running. UDP forwarding cannot be verified from the host and says so.
 */
import type { SystemReader } from '../../system.js';
import type { CheckFamily, CheckOutcome } from './check.js';
import { fail, pass, systemdRunning, unknown } from './check.js';

const INIT = 'integrity.aide_initialised';
const SCHED = 'integrity.aide_scheduled';
const REMOTE = 'logging.remote';

export interface Forward {
  proto: 'udp' | 'tcp';
  host: string;
  port: number;
  line: string;
}

/** Network actions of rsyslog (legacy `@`/`@@` selectors and `action(type="omfwd"|"omrelp")`) and syslog-ng. */
export function logForwards(text: string): Forward[] {
  const out: Forward[] = [];
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const legacy = line.match(/^\S+\s+(@@?)(?:\([^)]*\))?\[?([\w.:-]+?)\]?(?::(\d+))?(?:;\S+)?$/);
    if (legacy) out.push({ proto: legacy[1] === '@@' ? 'tcp' : 'udp', host: legacy[2]!, port: Number(legacy[3] ?? 514), line });
    const action = line.match(/action\s*\(([^)]*type\s*=\s*"(omfwd|omrelp)"[^)]*)\)/i);
    if (action) {
      const body = action[1]!;
      const target = body.match(/target\s*=\s*"([^"]+)"/i)?.[1];
      const proto = action[2] === 'omrelp' || /protocol\s*=\s*"tcp"/i.test(body) ? 'tcp' : 'udp';
      if (target) out.push({ proto, host: target, port: Number(body.match(/port\s*=\s*"(\d+)"/i)?.[1] ?? (action[2] === 'omrelp' ? 2514 : 514)), line });
    }
    const ng = line.match(/\b(network|tcp|udp|syslog)\s*\(\s*"?([\w.:-]+)"?[^)]*?(?:port\s*\(\s*(\d+)\s*\))?/);
    if (ng && /destination/.test(text) && !line.startsWith('source')) out.push({ proto: /udp/.test(ng[1]!) || /transport\s*\(\s*"?udp/.test(line) ? 'udp' : 'tcp', host: ng[2]!, port: Number(ng[3] ?? 514), line });
  }
  return out;
}

/** Remote ports of established TCP connections (/proc/net/tcp, tcp6). */
async function establishedPorts(system: SystemReader): Promise<Set<number>> {
  const out = new Set<number>();
  for (const f of ['tcp', 'tcp6']) {
    for (const line of ((await system.readFile(`/proc/net/${f}`)) ?? '').split('\n').slice(1)) {
      const p = line.trim().split(/\s+/);
      if (p[3] === '01' && p[2]) out.add(parseInt(p[2].split(':')[1]!, 16));
    }
  }
  return out;
}

async function configTexts(system: SystemReader, main: string, dir: string): Promise<string> {
  const names = ((await system.readDir(dir)) ?? []).filter((n) => n.endsWith('.conf')).sort();
  return [(await system.readFile(main)) ?? '', ...(await Promise.all(names.map((n) => system.readFile(`${dir}/${n}`)))).map((t) => t ?? '')].join('\n');
}

async function remote(system: SystemReader, processes: ReadonlySet<string>): Promise<CheckOutcome> {
  if (processes.has('systemd-journal-upload') || processes.has('systemd-journal-u')) return pass(REMOTE, 'systemd-journal-upload running');
  const daemon = processes.has('rsyslogd') ? 'rsyslogd' : processes.has('syslog-ng') ? 'syslog-ng' : null;
  const text = daemon === 'syslog-ng' ? await configTexts(system, '/etc/syslog-ng/syslog-ng.conf', '/etc/syslog-ng/conf.d') : await configTexts(system, '/etc/rsyslog.conf', '/etc/rsyslog.d');
  const fwd = logForwards(text);
  if (!daemon) return fail(REMOTE, `no syslog daemon (rsyslogd, syslog-ng) nor systemd-journal-upload running${fwd.length ? ` (forwarding to ${fwd[0]!.host} is configured but nothing runs it)` : ''}: logs stay on this host`);
  if (!fwd.length) return fail(REMOTE, `${daemon} running without a network action: forward logs to the central log server (e.g. *.* @@siem.example:514 or action(type="omfwd" ... protocol="tcp"))`);
  const est = await establishedPorts(system);
  const tcp = fwd.filter((f) => f.proto === 'tcp');
  const connected = tcp.filter((f) => est.has(f.port));
  const desc = fwd.map((f) => `${f.proto}://${f.host}:${f.port}`).join(', ');
  if (connected.length) return pass(REMOTE, `${daemon} forwards to ${desc}; TCP connection to port ${connected[0]!.port} established`);
  if (tcp.length) return fail(REMOTE, `${daemon} is configured to forward to ${desc} but no TCP connection to ${[...new Set(tcp.map((f) => f.port))].join(', ')} is established: the log server is unreachable (logs queue or are lost)`);
  return pass(REMOTE, `${daemon} forwards over UDP to ${desc} (delivery cannot be verified from the host; prefer TCP or RELP)`);
}

async function aide(system: SystemReader, processes: ReadonlySet<string>): Promise<CheckOutcome[]> {
  const bin = (await system.stat('/usr/bin/aide')) ?? (await system.stat('/usr/sbin/aide'));
  if (!bin) {
    const why = 'AIDE not installed (no /usr/bin/aide): install aide, run aideinit, and schedule the daily check';
    return [fail(INIT, why), fail(SCHED, why)];
  }
  const conf = (await system.readFile('/etc/aide/aide.conf')) ?? (await system.readFile('/etc/aide.conf')) ?? '';
  const dbPath = conf.match(/^\s*database(?:_in)?\s*=\s*file:(\S+)/m)?.[1]?.replace('@@{DBDIR}', conf.match(/^@@define\s+DBDIR\s+(\S+)/m)?.[1] ?? '/var/lib/aide') ?? '/var/lib/aide/aide.db';
  const db = (await system.stat(dbPath)) ?? (await system.stat(`${dbPath}.gz`));
  const init = db && db.size > 0 ? pass(INIT, `AIDE database ${dbPath} (${db.size} bytes, ${db.mtime.toISOString().slice(0, 10)})`) : fail(INIT, `AIDE installed but no database at ${dbPath}: run aideinit (and move aide.db.new to aide.db)`);
  // Without systemd no timer fires, whatever its unit files say.
  const timers = (await systemdRunning(system)) ? await system.run('systemctl', ['is-enabled', 'dailyaidecheck.timer', 'aidecheck.timer']) : null;
  const enabled =
    timers?.kind === 'ok'
      ? timers.stdout
          .split('\n')
          .map((s) => s.trim())
          .some((s) => s === 'enabled')
      : false;
  const cronScript = (await system.stat('/etc/cron.daily/aide')) ?? (await system.stat('/etc/cron.daily/dailyaidecheck'));
  const cron = ['cron', 'crond', 'anacron'].some((p) => processes.has(p));
  let sched: CheckOutcome;
  if (enabled) sched = pass(SCHED, 'AIDE check timer enabled (systemctl is-enabled)');
  else if (cronScript && cron) sched = pass(SCHED, 'AIDE cron.daily script present and cron running');
  else if (cronScript) sched = fail(SCHED, 'AIDE cron.daily script present but no cron daemon running: it never runs; enable dailyaidecheck.timer or start cron');
  else if (timers === null) sched = fail(SCHED, 'no AIDE check scheduled (systemd not running: no timer fires; no cron.daily script)');
  else sched = timers.kind === 'ok' || timers.kind === 'not-found' ? fail(SCHED, 'no AIDE check scheduled (no enabled timer, no cron.daily script)') : unknown(SCHED, 'systemctl unreadable and no cron.daily script');
  return [init, sched];
}

export const monitoringFamily: CheckFamily = {
  name: 'monitoring',
  ids: [INIT, SCHED, REMOTE],
  platforms: ['linux'],
  async run({ system, processes }) {
    return [...(await aide(system, processes)), await remote(system, processes)];
  },
};
