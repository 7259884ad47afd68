/**
 * Microsoft Defender for Endpoint on Linux: `mdatp health --output json`.
 * Two JSON shapes exist in the field: the documented snake_case one (real_time_protection_enabled)
 * and the camelCase `getHealthAllResult` of 101.x builds, whose settings are {value: x} objects.
 * Passive mode means another product is the primary AV: real-time is then not this product's.
 */
import type { ProtectionProduct } from '@posture/protocol';
import { boolOf, dateOf, isObject, numOf, parseJson, pick, strOf, type JsonObject } from '../../common/json.js';
import type { ProductContext, Unknowns } from '../product.js';
import { ageHours, describeFailure, product } from '../product.js';

export async function detectMdatp(ctx: ProductContext): Promise<ProtectionProduct | null> {
  const { system, processes, now } = ctx;
  const daemon = processes.has('wdavdaemon');
  const r = await system.run('mdatp', ['health', '--output', 'json'], { timeoutMs: ctx.commandTimeoutMs });
  if (r.kind === 'not-found' && !daemon) return null;
  const evidence = ['mdatp health --output json', daemon ? 'process wdavdaemon running' : 'no wdavdaemon process'];
  const unknown: Unknowns = [];
  let h: JsonObject = {};
  if (r.kind === 'ok' && r.code === 0) {
    const p = parseJson(r.stdout, 'mdatp health');
    if (!p.ok) unknown.push({ field: 'health', reason: p.reason });
    else if (!isObject(p.value)) unknown.push({ field: 'health', reason: 'mdatp health output is not a JSON object' });
    else h = p.value;
  } else {
    unknown.push({ field: 'health', reason: describeFailure('mdatp health', r) });
  }
  const answered = Object.keys(h).length > 0;

  const healthy = boolOf(pick(h, 'healthy'));
  const passive = boolOf(pick(h, 'passive_mode_enabled', 'passiveModeEnabled'));
  const rtp = boolOf(pick(h, 'real_time_protection_enabled', 'realTimeProtectionEnabled'));
  const rtpAvailable = boolOf(pick(h, 'real_time_protection_available', 'realTimeProtectionAvailable'));
  if (healthy === false) evidence.push(`healthy=false; health issues: ${JSON.stringify(pick(h, 'health_issues', 'healthIssues') ?? []).slice(0, 300)}`);
  if (passive) evidence.push('passive_mode_enabled=true: another product is primary, real-time not by Defender');
  if (rtpAvailable === false) evidence.push('real_time_protection_available=false: the real-time subsystem is not working');

  let realTime: boolean | null = rtp;
  if (passive === true || rtpAvailable === false) realTime = false;
  if (answered && passive === null) {
    // Without the passive flag an "enabled" toggle cannot be trusted (passive mode keeps it on).
    realTime = realTime === false ? false : null;
    unknown.push({ field: 'realTime', reason: 'passive_mode_enabled missing from mdatp health' });
  } else if (realTime === null) unknown.push({ field: 'realTime', reason: answered ? 'real_time_protection_enabled missing from mdatp health' : 'mdatp health gave no answer' });

  const minutes = numOf(pick(h, 'definitions_updated_minutes_ago', 'definitionsUpdatedMinutesAgo'));
  const updated = dateOf(pick(h, 'definitions_updated', 'definitionsUpdated'));
  const sigDate = updated ?? (minutes !== null ? new Date(now.getTime() - minutes * 60_000) : null);
  const sigAge = minutes !== null && minutes >= 0 ? Math.round((minutes / 60) * 10) / 10 : updated ? ageHours(updated, now) : null;
  if (sigAge === null) unknown.push({ field: 'signatureAgeHours', reason: answered ? 'definitions_updated_minutes_ago and definitions_updated missing' : 'mdatp health gave no answer' });

  // mdatp answers only through a running daemon; a failure with no daemon means not running.
  const running = answered || daemon ? true : r.kind === 'ok' ? false : null;
  if (running === null) unknown.push({ field: 'running', reason: 'mdatp did not answer and wdavdaemon was not seen' });
  return product(
    {
      id: 'mdatp',
      name: 'Microsoft Defender for Endpoint',
      vendor: 'Microsoft',
      version: strOf(pick(h, 'app_version', 'appVersion')),
      installed: true,
      running,
      realTime,
      signatureVersion: strOf(pick(h, 'definitions_version', 'definitionsVersion')),
      signatureDate: sigDate ? sigDate.toISOString() : null,
      signatureAgeHours: sigAge,
      antiMalware: true,
      evidence,
      unknown,
    },
    ctx,
  );
}
