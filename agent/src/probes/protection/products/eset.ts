/**
 * ESET on Linux: Endpoint Antivirus (/opt/eset/eea) and Server Security (/opt/eset/efs).
 * Version: `upd --version`; signatures: `upd --list-modules`, the date of module EM002 "Detection
 * engine" (a day, no time: read as 00:00 UTC). Running: the startd supervisor; real-time: the
 * oaeventd on-access event daemon (its absence is not proof that real-time is off: unknown).
 */
import type { ProtectionProduct } from '@posture/protocol';
import type { ProductContext, Unknowns } from '../product.js';
import { ageHours, describeFailure, product } from '../product.js';

const FLAVOURS = [
  { dir: '/opt/eset/eea', id: 'eset', name: 'ESET Endpoint Antivirus for Linux' },
  { dir: '/opt/eset/efs', id: 'eset', name: 'ESET Server Security for Linux' },
];

/** `EM002\t 31832 (20250909)\tDetection engine` -> version 31832, date 2025-09-09. */
export function parseEsetModules(text: string): { version: string; date: Date } | null {
  const m = text.match(/^EM002\s+([\d.]+)\s+\((\d{4})(\d{2})(\d{2})\)\s+Detection engine\s*$/m);
  if (!m) return null;
  const date = new Date(Date.UTC(+m[2]!, +m[3]! - 1, +m[4]!));
  return Number.isNaN(date.getTime()) ? null : { version: m[1]!, date };
}

export async function detectEset(ctx: ProductContext): Promise<ProtectionProduct | null> {
  const { system, processes, now } = ctx;
  let flavour: (typeof FLAVOURS)[number] | undefined;
  for (const f of FLAVOURS) if (await system.stat(`${f.dir}/bin/upd`)) flavour = f;
  const running = processes.has('startd');
  if (!flavour) return null;
  const upd = `${flavour.dir}/bin/upd`;
  const evidence = [`${upd} present`, running ? 'process startd running' : 'no startd process'];
  const unknown: Unknowns = [];
  const [v, mods] = await Promise.all([system.run(upd, ['--version'], { timeoutMs: ctx.commandTimeoutMs }), system.run(upd, ['--list-modules'], { timeoutMs: ctx.commandTimeoutMs })]);
  const version = v.kind === 'ok' && v.code === 0 ? (v.stdout.match(/\)\s*(\d+(?:\.\d+)+)/)?.[1] ?? null) : null;
  if (!version) unknown.push({ field: 'version', reason: v.kind === 'ok' && v.code === 0 ? 'upd --version printed no version' : describeFailure('upd --version', v) });
  const engine = mods.kind === 'ok' && mods.code === 0 ? parseEsetModules(mods.stdout) : null;
  if (engine) evidence.push(`upd --list-modules: detection engine ${engine.version} of ${engine.date.toISOString().slice(0, 10)} (a date without time, read as 00:00 UTC)`);
  else unknown.push({ field: 'signatureDate', reason: mods.kind === 'ok' && mods.code === 0 ? 'upd --list-modules has no EM002 Detection engine line' : describeFailure('upd --list-modules', mods) });
  const onAccess = processes.has('oaeventd');
  evidence.push(onAccess ? 'process oaeventd running (on-access scanning)' : 'no oaeventd process');
  const realTime = !running ? false : onAccess ? true : null;
  if (realTime === null) unknown.push({ field: 'realTime', reason: 'startd runs but oaeventd (on-access) was not seen' });
  return product(
    {
      id: flavour.id,
      name: flavour.name,
      vendor: 'ESET',
      version,
      installed: true,
      running,
      realTime,
      signatureVersion: engine?.version ?? null,
      signatureDate: engine ? engine.date.toISOString() : null,
      signatureAgeHours: engine ? ageHours(engine.date, now) : null,
      antiMalware: true,
      evidence,
      unknown,
    },
    ctx,
  );
}
