/**
 * The alert state machine through the engine and the real SQLite store: pending for `for`,
 * firing once, resolved once; state and queued notices survive a restart (reopen of the data
 * dir); a webhook receiver gets Alertmanager's webhook body signed with HMAC.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { sign, SIGNATURE_HEADER } from '../alerts/webhook.js';
import { freePort } from '../../../testing/ports.js';
import { seedHosts } from '../../../testing/fleet.js';
import { step, type Observation } from './alerting.js';
import { sqlAll, sqlGet } from '../../../testing/sql.js';

const RULES = `groups:
  - name: g
    interval: 1m
    rules:
      - indicator: endpoint_protection
        title: {vi: "Tỷ lệ thiết bị đầu cuối được bảo vệ", en: "Endpoints protected"}
        basis: "QĐ 2224/QĐ-BGTVT"
        population: hosts
        pass: host.protection.protected
        target: 0.9
        for: 10m
        labels: {severity: warning}
        annotations: {summary: "{{ $scopeName }}: {{ $percent }} < {{ $targetPercent }} ({{ $labels.unit }})"}
`;
const SECRET = 'webhook-secret-0123456789';
const UNITS = [{ id: 'A', name: 'Cục A' }];

let dir: string;
let port: number;
let received: { body: string; sig: string | undefined }[] = [];
let receiver: Server;
const t0 = new Date('2026-01-05T01:00:00.000Z');
const at = (min: number) => new Date(t0.getTime() + min * 60_000);

const open = (): Collector =>
  openCollector(
    validateConfig(
      { dataDir: join(dir, 'data'), units: UNITS, staleAfterMinutes: 100_000, rules: { files: [join(dir, 'r.rules.yaml')] }, alerting: { externalUrl: 'https://posture.mt.gov.vn', webhook: { url: `http://127.0.0.1:${port}/hook`, secret: SECRET } } },
      'test',
    ),
  );
const notices = (c: Collector) => sqlAll<{ sink: string; payload: string }>(c.db, 'SELECT sink, payload FROM alert_notifications ORDER BY id').map((r) => [r.sink, (JSON.parse(r.payload) as { status: string }).status]);
const stateOf = (c: Collector, scope: string) => c.alerts.all().find((a) => a.scope === scope)?.state ?? 'inactive';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-alerting-'));
  await writeFile(join(dir, 'r.rules.yaml'), RULES);
  port = await freePort();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ body, sig: req.headers[SIGNATURE_HEADER] as string | undefined });
      res.writeHead(200).end();
    });
  });
});

afterAll(async () => {
  receiver.close();
  await rm(dir, { recursive: true, force: true });
});

describe('alert state machine (pure step)', () => {
  const o = (below: boolean, forMs = 600_000): Observation => ({ indicator: 'x', scope: 'unit:A', below, forMs, labels: {}, annotations: {}, value: 0.5, pass: 1, total: 2, target: 0.9 });
  it('inactive -> pending -> firing -> resolved -> pending again; a pending recovery is silent', () => {
    let s = step(undefined, o(true), at(0));
    expect([s.next?.state, s.transition]).toEqual(['pending', null]);
    s = step(s.next!, o(true), at(9));
    expect([s.next?.state, s.transition]).toEqual(['pending', null]);
    s = step(s.next!, o(true), at(10));
    expect([s.next?.state, s.transition, s.next?.firedAt]).toEqual(['firing', 'firing', at(10).toISOString()]);
    s = step(s.next!, o(true), at(11));
    expect([s.next?.state, s.transition]).toEqual(['firing', null]);
    s = step(s.next!, o(false), at(12));
    expect([s.next?.state, s.transition, s.next?.resolvedAt]).toEqual(['resolved', 'resolved', at(12).toISOString()]);
    s = step(s.next!, o(true), at(13));
    expect([s.next?.state, s.transition, s.next?.activeAt]).toEqual(['pending', null, at(13).toISOString()]);
    expect(step(s.next!, o(false), at(14))).toEqual({ next: null, transition: null });
    expect(step(undefined, o(true, 0), at(0)).transition).toBe('firing'); // for: 0 fires at once
    expect(step(undefined, null, at(0))).toEqual({ next: null, transition: null }); // no data is not below
  });
});

describe('engine + SQLite: restart keeps state, no duplicate fire, no lost resolve', () => {
  it('runs the whole life of an alert across two restarts', async () => {
    let c = open();
    seedHosts(c, 'A', 10, 5, at(0)); // 50% < 90%
    c.engine.evaluateAndRecord(at(0));
    expect(stateOf(c, 'unit:A')).toBe('pending');
    c.engine.evaluateAndRecord(at(10));
    expect(stateOf(c, 'unit:A')).toBe('firing');
    expect(stateOf(c, 'ministry')).toBe('firing');
    expect(notices(c)).toEqual([
      ['webhook', 'firing'],
      ['webhook', 'firing'],
    ]);
    c.db.close();

    // Restart 1: still firing, and evaluating again does not fire again.
    c = open();
    expect(stateOf(c, 'unit:A')).toBe('firing');
    c.engine.evaluateAndRecord(at(15));
    expect(notices(c)).toHaveLength(2);
    // Recovery: 10/10 protected -> resolved, queued; then the collector dies before delivering.
    seedHosts(c, 'A', 10, 10, at(16));
    c.engine.evaluateAndRecord(at(16));
    expect(stateOf(c, 'unit:A')).toBe('resolved');
    expect(notices(c).map((n) => n[1])).toEqual(['firing', 'firing', 'resolved', 'resolved']);
    c.db.close();

    // Restart 2: the resolve is still queued; the webhook receiver comes up and gets all four.
    c = open();
    await new Promise<void>((r) => receiver.listen(port, '127.0.0.1', r));
    await c.dispatcher.deliverDue();
    expect(notices(c)).toEqual([]);
    expect(received).toHaveLength(4);
    for (const r of received) expect(r.sig).toBe(sign(SECRET, r.body));
    const bodies = received.map((r) => JSON.parse(r.body) as { status: string; version: string; alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string>; endsAt: string; generatorURL: string }[] });
    const unitFiring = bodies.find((b) => b.status === 'firing' && b.alerts[0]!.labels.unit === 'A')!;
    expect(unitFiring.version).toBe('4');
    expect(unitFiring.alerts[0]).toMatchObject({
      status: 'firing',
      labels: { alertname: 'endpoint_protection', indicator: 'endpoint_protection', scope: 'unit', unit: 'A', severity: 'warning' },
      annotations: { summary: 'Cục A: 50% < 90% (A)', scope_name: 'Cục A' },
      endsAt: '0001-01-01T00:00:00Z',
    });
    expect(unitFiring.alerts[0]!.generatorURL).toMatch(/^https:\/\/posture\.mt\.gov\.vn\//);
    const unitResolved = bodies.find((b) => b.status === 'resolved' && b.alerts[0]!.labels.unit === 'A')!;
    expect(unitResolved.alerts[0]!.endsAt).toBe(at(16).toISOString());

    // Resolved alerts stay for the resend window (15 min), then go back to inactive.
    c.engine.evaluateAndRecord(at(20));
    expect(stateOf(c, 'unit:A')).toBe('resolved');
    c.engine.evaluateAndRecord(at(32));
    expect(stateOf(c, 'unit:A')).toBe('inactive');
    expect(notices(c)).toEqual([]);
    c.db.close();
  });

  it('a dead webhook only grows its queue: retried with backoff, evaluation goes on', async () => {
    received = [];
    await new Promise<void>((r) => receiver.close(() => r()));
    const c = open();
    seedHosts(c, 'A', 10, 0, at(40), 'dead'); // 10/20 protected
    c.engine.evaluateAndRecord(at(40));
    c.engine.evaluateAndRecord(at(50));
    expect(stateOf(c, 'unit:A')).toBe('firing');
    await c.dispatcher.deliverDue();
    const rows = sqlAll<{ attempts: number; next_at: number; last_error: string }>(c.db, 'SELECT attempts, next_at, last_error FROM alert_notifications');
    expect(rows.length).toBe(2);
    // Order is kept per sink: the first failed and waits; the second was not tried past it.
    expect(rows.map((r) => r.attempts)).toEqual([1, 0]);
    expect(rows[0]!.last_error).toMatch(new RegExp(`cannot reach http://127.0.0.1:${port}/hook`));
    expect(rows[0]!.next_at).toBeGreaterThan(Date.now());
    // Evaluation goes on while the sink is dead: it records and stays firing.
    c.engine.evaluateAndRecord(at(51));
    expect(sqlGet(c.db, 'SELECT pass, total FROM indicator_results WHERE evaluated_at = ? AND scope = ?', at(51).toISOString(), 'unit:A')).toEqual({ pass: 10, total: 20 });
    c.db.close();
  });
});
