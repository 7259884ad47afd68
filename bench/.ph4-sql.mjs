import Database from 'better-sqlite3';
const db = new Database('/tmp/ph4/seed/data/posture.sqlite', { readonly: true });
const COLS = 'agent_id, unit, hostname, role, systems, protected, protection_reasons, ipv6_readiness, collected_at, collected_ms, received_at, decommissioned_at';
const t = (name, f) => { const a = performance.now(); const r = f(); console.log(name, (performance.now() - a).toFixed(1), 'ms', Array.isArray(r) ? r.length : JSON.stringify(r).slice(0, 80)); return r; };
for (let k = 0; k < 2; k++) {
t('count', () => db.prepare('SELECT count(*) n FROM hosts WHERE decommissioned_at IS NULL').get());
t('count all', () => db.prepare('SELECT count(*) n FROM hosts').get());
t('page 1000', () => db.prepare(`SELECT ${COLS} FROM hosts WHERE decommissioned_at IS NULL ORDER BY unit, hostname, agent_id LIMIT 1000 OFFSET 0`).all());
t('page 10000', () => db.prepare(`SELECT ${COLS} FROM hosts WHERE decommissioned_at IS NULL ORDER BY unit, hostname, agent_id LIMIT 10000 OFFSET 0`).all());
t('page 10000 off 90000', () => db.prepare(`SELECT ${COLS} FROM hosts WHERE decommissioned_at IS NULL ORDER BY unit, hostname, agent_id LIMIT 10000 OFFSET 90000`).all());
t('keys off 90000', () => db.prepare(`SELECT unit, hostname, agent_id FROM hosts WHERE decommissioned_at IS NULL ORDER BY unit, hostname, agent_id LIMIT 1 OFFSET 90000`).all());
t('page all 10000', () => db.prepare(`SELECT ${COLS} FROM hosts ORDER BY unit, hostname, agent_id LIMIT 10000 OFFSET 0`).all());
t('agents all', () => db.prepare(`SELECT * FROM agents ORDER BY unit, hostname`).all());
t('find hostname', () => db.prepare(`SELECT ${COLS} FROM hosts WHERE agent_id = ? OR hostname = ? ORDER BY unit`).all('x', 'srv-50000'));
}
console.log(db.prepare(`EXPLAIN QUERY PLAN SELECT ${COLS} FROM hosts ORDER BY unit, hostname, agent_id LIMIT 10000 OFFSET 0`).all());
console.log(db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM agents ORDER BY unit, hostname`).all());
console.log(db.prepare(`SELECT hostname FROM hosts LIMIT 2`).all());
