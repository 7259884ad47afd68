/**
 * E-mail sink over SMTP (nodemailer): one readable message per transition, Vietnamese by
 * default, English on request. The subject carries the state, the indicator, the unit, the
 * actual ratio and the target, so the inbox list alone tells the story.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { AlertNotice, NoticeSink, SendResult } from './types.js';

export interface EmailOptions {
  host: string;
  port: number;
  /** TLS from the first byte (465); otherwise STARTTLS when offered. */
  secure: boolean;
  user?: string | undefined;
  password?: string | undefined;
  from: string;
  to: readonly string[];
  lang: 'vi' | 'en';
  timeoutMs: number;
}

const T = {
  vi: {
    firing: 'CẢNH BÁO',
    resolved: 'ĐÃ KHẮC PHỤC',
    ministry: 'Toàn Bộ',
    unit: 'Đơn vị',
    system: 'Hệ thống',
    actual: 'Thực tế',
    target: 'Mục tiêu',
    basis: 'Căn cứ',
    due: 'Thời hạn',
    since: 'Bắt đầu lúc',
    ended: 'Kết thúc lúc',
    noData: 'chưa có dữ liệu',
    lead: { firing: 'Chỉ tiêu dưới mục tiêu:', resolved: 'Chỉ tiêu đã đạt lại mục tiêu:' },
    link: 'Chi tiết',
  },
  en: {
    firing: 'FIRING',
    resolved: 'RESOLVED',
    ministry: 'Ministry-wide',
    unit: 'Unit',
    system: 'System',
    actual: 'Actual',
    target: 'Target',
    basis: 'Legal basis',
    due: 'Due',
    since: 'Since',
    ended: 'Ended',
    noData: 'no data',
    lead: { firing: 'Indicator below target:', resolved: 'Indicator back at target:' },
    link: 'Details',
  },
};

/** 0.673 -> "67,3%" (vi) or "67.3%" (en). */
export function pct(r: number | null, lang: 'vi' | 'en'): string {
  if (r === null) return T[lang].noData;
  const s = (Math.round(r * 1000) / 10).toFixed(1).replace(/\.0$/, '');
  return `${lang === 'vi' ? s.replace('.', ',') : s}%`;
}

export function renderEmail(n: AlertNotice, lang: 'vi' | 'en'): { subject: string; text: string } {
  const t = T[lang];
  const where = n.scopeKind === 'ministry' ? t.ministry : `${n.scopeKind === 'system' ? t.system : t.unit} ${n.scopeName}`;
  const subject = `[${t[n.status]}] ${n.title[lang]} — ${where}: ${pct(n.value, lang)} (${t.target.toLowerCase()} ${pct(n.target, lang)})`;
  const lines = [
    t.lead[n.status],
    '',
    `  ${n.title[lang]}`,
    `  ${n.scopeKind === 'ministry' ? t.ministry : `${n.scopeKind === 'system' ? t.system : t.unit}: ${n.scopeName} (${n.scopeId})`}`,
    `  ${t.actual}: ${pct(n.value, lang)} (${n.pass}/${n.total})`,
    `  ${t.target}: ${pct(n.target, lang)}`,
    ...(n.due ? [`  ${t.due}: ${n.due}`] : []),
    `  ${t.basis}: ${n.basis}`,
    `  ${t.since}: ${n.startsAt}`,
    ...(n.endsAt ? [`  ${t.ended}: ${n.endsAt}`] : []),
    '',
    ...Object.entries(n.annotations).map(([k, v]) => `${k}: ${v}`),
    '',
    `${t.link}: ${n.generatorURL}`,
  ];
  return { subject, text: lines.join('\n') + '\n' };
}

export class EmailSink implements NoticeSink {
  readonly name = 'email' as const;
  private readonly transport: Transporter;

  constructor(private readonly opts: EmailOptions) {
    this.transport = nodemailer.createTransport({
      host: opts.host,
      port: opts.port,
      secure: opts.secure,
      ...(opts.user ? { auth: { user: opts.user, pass: opts.password ?? '' } } : {}),
      connectionTimeout: opts.timeoutMs,
      greetingTimeout: opts.timeoutMs,
      socketTimeout: opts.timeoutMs,
    });
  }

  async send(n: AlertNotice): Promise<SendResult> {
    const { subject, text } = renderEmail(n, this.opts.lang);
    try {
      await this.transport.sendMail({ from: this.opts.from, to: [...this.opts.to], subject, text });
      return { ok: true };
    } catch (e) {
      const err = e as Error & { responseCode?: number };
      // 5xx SMTP replies are permanent (bad recipient, refused); 4xx and network errors are not.
      const permanent = typeof err.responseCode === 'number' && err.responseCode >= 500;
      return { ok: false, retryable: !permanent, error: `SMTP ${this.opts.host}:${this.opts.port}: ${err.message}` };
    }
  }

  close(): void {
    this.transport.close();
  }
}
