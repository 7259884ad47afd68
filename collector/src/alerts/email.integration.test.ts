/**
 * Real SMTP conversation: an in-test SMTP server (smtp-server, with AUTH) receives the alert
 * e-mails the dispatcher sends for a firing and a resolved transition; the messages, parsed
 * with mailparser, carry the subject, the unit, the actual ratio and the target, in Vietnamese
 * by default and in English on request. A refusing server (5xx) is not retried forever.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import { seedHosts } from '../../../testing/fleet.js';
import { freePort } from '../../../testing/ports.js';
import { EmailSink, type EmailOptions } from './email.js';
import type { AlertNotice } from './types.js';

const RULES = `groups:
  - name: g
    interval: 1m
    rules:
      - indicator: endpoint_protection
        tt: 12
        title: {vi: "Tỷ lệ thiết bị đầu cuối được cài đặt giải pháp bảo vệ", en: "Endpoints with a protection solution installed"}
        basis: "Quyết định số 2224/QĐ-BGTVT ngày 27/12/2021"
        population: hosts
        pass: host.protection.protected
        target: 0.9
        due: "2022-12-31"
        for: 0s
`;

let dir: string;
let port: number;
let server: SMTPServer;
const mails: { from: string; to: string[]; mail: ParsedMail }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-smtp-'));
  await writeFile(join(dir, 'r.rules.yaml'), RULES);
  port = await freePort();
  server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true, // loopback test; production config uses STARTTLS or port 465
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _s, cb) {
      if (auth.username === 'posture' && auth.password === 'smtp-pass') cb(null, { user: 'posture' });
      else cb(new Error('bad credentials'));
    },
    onRcptTo(addr, _s, cb) {
      if (addr.address.endsWith('@refused.example')) {
        const e = new Error('mailbox unavailable') as Error & { responseCode: number };
        e.responseCode = 550;
        cb(e);
      } else cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream).then(
        (mail) => {
          mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), mail });
          cb();
        },
        (e: Error) => cb(e),
      );
    },
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

const email = (extra: Partial<EmailOptions> = {}): EmailOptions => ({
  host: '127.0.0.1',
  port,
  secure: false,
  user: 'posture',
  password: 'smtp-pass',
  from: 'posture@mt.gov.vn',
  to: ['soc@mt.gov.vn', 'truc-ca@mt.gov.vn'],
  lang: 'vi',
  timeoutMs: 5000,
  ...extra,
});

describe('e-mail sink over SMTP', () => {
  it('a firing and a resolved transition arrive as readable Vietnamese e-mails', async () => {
    const c = openCollector(
      validateConfig({ dataDir: join(dir, 'data'), units: [{ id: 'CHHVN', name: 'Cục Hàng hải Việt Nam' }], rules: { files: [join(dir, 'r.rules.yaml')] }, alerting: { externalUrl: 'https://posture.mt.gov.vn', email: email() } }, 'test'),
    );
    try {
      const t = new Date('2026-02-01T03:00:00.000Z');
      seedHosts(c, 'CHHVN', 150, 101, t); // 67.3%
      c.engine.evaluateAndRecord(t);
      await c.dispatcher.deliverDue();
      seedHosts(c, 'CHHVN', 150, 150, new Date(t.getTime() + 60_000));
      c.engine.evaluateAndRecord(new Date(t.getTime() + 60_000));
      await c.dispatcher.deliverDue();
      expect(c.dispatcher.depth()).toBe(0);
    } finally {
      c.db.close();
    }
    const unitMails = mails.filter((m) => m.mail.subject?.includes('Cục Hàng hải'));
    expect(unitMails.map((m) => m.mail.subject)).toEqual([
      '[CẢNH BÁO] Tỷ lệ thiết bị đầu cuối được cài đặt giải pháp bảo vệ — Đơn vị Cục Hàng hải Việt Nam: 67,3% (mục tiêu 90%)',
      '[ĐÃ KHẮC PHỤC] Tỷ lệ thiết bị đầu cuối được cài đặt giải pháp bảo vệ — Đơn vị Cục Hàng hải Việt Nam: 100% (mục tiêu 90%)',
    ]);
    const firing = unitMails[0]!;
    expect(firing.from).toBe('posture@mt.gov.vn');
    expect(firing.to).toEqual(['soc@mt.gov.vn', 'truc-ca@mt.gov.vn']);
    expect(firing.mail.text).toContain('Đơn vị: Cục Hàng hải Việt Nam (CHHVN)');
    expect(firing.mail.text).toContain('Thực tế: 67,3% (101/150)');
    expect(firing.mail.text).toContain('Mục tiêu: 90%');
    expect(firing.mail.text).toContain('Căn cứ: Quyết định số 2224/QĐ-BGTVT ngày 27/12/2021');
    expect(firing.mail.text).toContain('Thời hạn: 2022-12-31');
    expect(firing.mail.text).toContain('Chi tiết: https://posture.mt.gov.vn/');
    expect(unitMails[1]!.mail.text).toContain('Kết thúc lúc: 2026-02-01T03:01:00.000Z');
  });

  const notice: AlertNotice = {
    status: 'firing',
    labels: { alertname: 'endpoint_protection' },
    annotations: {},
    startsAt: '2026-02-01T03:00:00.000Z',
    endsAt: null,
    generatorURL: 'https://posture.mt.gov.vn/x',
    fingerprint: 'f',
    indicator: 'endpoint_protection',
    title: { vi: 'Tỷ lệ thiết bị đầu cuối được cài đặt giải pháp bảo vệ', en: 'Endpoints with a protection solution installed' },
    basis: 'QĐ 2224',
    scopeKind: 'unit',
    scopeId: 'CHHVN',
    scopeName: 'Cục Hàng hải Việt Nam',
    value: 0.5,
    pass: 1,
    total: 2,
    target: 0.9,
    due: null,
  };

  it('English on request', async () => {
    const sink = new EmailSink(email({ to: ['en@mt.gov.vn'], lang: 'en' }));
    expect(await sink.send(notice)).toEqual({ ok: true });
    sink.close();
    const m = mails.find((x) => x.to[0] === 'en@mt.gov.vn')!;
    expect(m.mail.subject).toBe('[FIRING] Endpoints with a protection solution installed — Unit Cục Hàng hải Việt Nam: 50% (target 90%)');
    expect(m.mail.text).toContain('Actual: 50% (1/2)');
  });

  it('a refused recipient is a permanent failure; a closed port is retryable', async () => {
    const refused = new EmailSink(email({ to: ['x@refused.example'] }));
    expect(await refused.send(notice)).toMatchObject({ ok: false, retryable: false, error: expect.stringMatching(/mailbox unavailable/) });
    refused.close();
    const closed = new EmailSink(email({ port: await freePort(), timeoutMs: 2000 }));
    expect(await closed.send(notice)).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/ECONNREFUSED/) });
    closed.close();
  });
});
