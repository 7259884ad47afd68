// Realistic agent reports (2-4 KB of JSON, like a Linux server with ClamAV, IPv6 and baseline
// checks) for the benchmarks, from the one sample-report builder the tests and the simulator
// use (collector/src/simulate/sample-report.ts, built). Each call gives a fresh report id.
import { sampleReport } from '../../collector/dist/simulate/sample-report.js';

export function benchReport(agentId, unit, i, at = new Date()) {
  const prot = i % 10 !== 0;
  return sampleReport({
    agentId,
    unit,
    index: i,
    hostname: `srv-${unit.toLowerCase()}-${String(i).padStart(5, '0')}`,
    host: {
      machineId: agentId
        .replace(/[^0-9a-f]/g, '')
        .padEnd(32, '0')
        .slice(0, 32),
    },
    protected: prot,
    protectionReasons: [prot ? 'ClamAV: protecting' : 'ClamAV: real-time protection off (clamonacc not running)'],
    systems: [`${unit.toLowerCase()}-portal`],
    collectedAt: at,
    ipv6: 'ready',
    baseline: { 'updates.security_pending': i % 7 === 0 ? 'fail' : 'pass', 'updates.automatic': 'fail', 'password.min_length': 'unknown', 'logging.audit': 'fail' },
    agent: { collectMs: 152.3 },
  });
}

/** A report with `n` baseline checks shaped like the agent's: ids unique, retention checks with per-level results. */
export function withChecks(r, n) {
  const base = r.probes.baseline.facts.checks;
  r.probes.baseline.facts.checks = Array.from({ length: n }, (_, k) => {
    const c = base[k % base.length];
    const retention = k % 6 === 0 ? { value: 30, byLevel: [2, 3, 4, 5].map((level) => ({ level, result: level === 2 ? 'pass' : 'fail', threshold: [30, 90, 180, 365][level - 2] })) } : {};
    return { ...c, id: `${c.id}.${k}`, ...retention };
  });
  return r;
}
