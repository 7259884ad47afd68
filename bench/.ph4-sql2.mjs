import Database from 'better-sqlite3';
const db = new Database('/tmp/ph4/seed/data/posture.sqlite', { readonly: true });
const t = (name, f) => { const a = performance.now(); const r = f(); console.log(name, (performance.now() - a).toFixed(1), 'ms', JSON.stringify(r).slice(0, 200)); return r; };
for (let k = 0; k < 3; k++) {
t('agg', () => db.prepare(`SELECT s.value AS id, count(*) AS hosts, min(h.rowid) AS first FROM hosts h, json_each(h.systems) s WHERE h.decommissioned_at IS NULL AND h.systems <> '[]' GROUP BY s.value`).all());
t('count systems', () => db.prepare(`SELECT count(*) FROM hosts WHERE systems <> '[]'`).get());
t('scan', () => db.prepare(`SELECT count(*) FROM hosts WHERE +decommissioned_at IS NULL AND systems <> '[]'`).get());
}
