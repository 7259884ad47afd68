/**
 * Kaspersky Endpoint Security for Linux: `kesl-control --app-info`. Signatures: "Last release
 * date of databases" (local time without zone, read as UTC) and "Anti-virus databases loaded"
 * (or "Application databases loaded" in 12.x). Real-time: "File monitoring" (10.x) or
 * "File Threat Protection" (11+) running vs stopped. Running: the kesl process.
 */
import type { ProtectionProduct } from '@posture/protocol';
import { keyValues, localTimeAsUtc, valueOf } from '../../common/text.js';
import type { ProductContext, Unknowns } from '../product.js';
import { ageHours, describeFailure, product } from '../product.js';

const CONTROL = ['/opt/kaspersky/kesl/bin/kesl-control', '/usr/bin/kesl-control'];

export async function detectKesl(ctx: ProductContext): Promise<ProtectionProduct | null> {
  const { system, processes, now } = ctx;
  let control: string | undefined;
  for (const c of CONTROL) if (!control && (await system.stat(c))) control = c;
  const running = processes.has('kesl');
  if (!control && !running) return null;
  const evidence = [running ? 'process kesl running' : 'no kesl process'];
  const unknown: Unknowns = [];
  let kv = new Map<string, string>();
  if (control) {
    const r = await system.run(control, ['--app-info'], { timeoutMs: ctx.commandTimeoutMs });
    if (r.kind === 'ok' && r.code === 0) kv = keyValues(r.stdout);
    else unknown.push({ field: 'appInfo', reason: describeFailure('kesl-control --app-info', r) });
  }
  const loaded = valueOf(kv, /databases loaded$/);
  const released = valueOf(kv, /^last release date of databases$/);
  let date = released ? localTimeAsUtc(released) : null;
  if (loaded && !/^yes/i.test(loaded)) {
    evidence.push(`databases loaded: ${loaded}`);
    date = null;
    unknown.push({ field: 'signatureDate', reason: `anti-virus databases not loaded (${loaded})` });
  } else if (date) evidence.push(`last release date of databases ${released} (local time, read as UTC)`);
  else unknown.push({ field: 'signatureDate', reason: kv.size ? 'no "Last release date of databases" in kesl-control --app-info' : 'kesl-control --app-info gave no answer' });
  const fm = valueOf(kv, /^(file monitoring|file threat protection)$/);
  if (fm) evidence.push(`file protection: ${fm}`);
  const realTime = !running ? false : fm ? /\b(running|started)\b/i.test(fm) && !/\bstopped\b/i.test(fm) : null;
  if (realTime === null) unknown.push({ field: 'realTime', reason: 'kesl-control --app-info has no File monitoring / File Threat Protection line' });
  return product(
    {
      id: 'kesl',
      name: valueOf(kv, /^name$/)?.slice(0, 128) ?? 'Kaspersky Endpoint Security for Linux',
      vendor: 'Kaspersky',
      version: valueOf(kv, /^version$/)?.match(/^[\d.]+/)?.[0] ?? null,
      installed: true,
      running,
      realTime,
      signatureVersion: valueOf(kv, /database records$/),
      signatureDate: date ? date.toISOString() : null,
      signatureAgeHours: date ? ageHours(date, now) : null,
      antiMalware: true,
      evidence,
      unknown,
    },
    ctx,
  );
}
