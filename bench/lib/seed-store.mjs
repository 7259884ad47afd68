// A collector store seeded with `hosts` distinct hosts directly (SQLite, through the same code
// as ingest), for the memory benches. Returns its directory, config file and API address.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { openCollector } from '../../collector/dist/app.js';
import { validateConfig } from '../../collector/dist/config.js';
import { pointsOfReport } from '../../collector/dist/influx/points.js';
import { toIngestRow } from '../../collector/dist/ingest/rows.js';
import { sha256 } from '../../collector/dist/auth/secrets.js';
import { freePort } from './influxd.mjs';
import { benchReport } from './report.mjs';

export const BENCH_TOKEN = 'pt_bench-viewer-token-0123456789abcdefghijklmnopq';
export const BENCH_UNITS = Array.from({ length: 30 }, (_, i) => ({ id: `U${String(i).padStart(2, '0')}`, name: `Đơn vị ${i}` }));

export async function seedStore(hosts) {
  const dir = await mkdtemp(join(tmpdir(), 'posture-rss-'));
  const port = await freePort();
  const config = { listen: { host: '127.0.0.1', port }, dataDir: join(dir, 'data'), units: BENCH_UNITS, auth: { tokens: [{ name: 'bench', role: 'viewer', sha256: sha256(BENCH_TOKEN) }] }, staleAfterMinutes: 60 };
  const file = join(dir, 'collector.yaml');
  await writeFile(file, stringify(config));
  const c = openCollector(validateConfig(config, file, dir));
  const t0 = performance.now();
  for (let start = 0; start < hosts; start += 2000) {
    const rows = [];
    c.db.transaction(() => {
      for (let i = start; i < Math.min(hosts, start + 2000); i++) {
        const unit = BENCH_UNITS[i % BENCH_UNITS.length].id;
        const { agentId } = c.agents.enroll(unit, `srv-${i}`, '');
        const report = benchReport(agentId, unit, i);
        rows.push(toIngestRow({ report, unit, points: pointsOfReport(report, unit), receivedAt: new Date() }));
      }
    })();
    c.ingestCommit.commit(rows);
  }
  // The outbox would be drained by InfluxDB; leave it empty so only host state is measured.
  c.db.prepare('DELETE FROM outbox').run();
  c.db.close();
  return { dir, file, url: `http://127.0.0.1:${port}`, seedSeconds: (performance.now() - t0) / 1000 };
}
