/**
 * SentinelOne on Linux: `sentinelctl version`, `control status` (Agent state Enabled/Disabled and
 * its processes), `engines status` (DFI static AI and the dynamic behavioural engine) and
 * `management status` (Connectivity). SentinelOne has no dated signature database (static AI
 * models): the age limit does not apply.
 */
import type { ProtectionProduct } from '@posture/protocol';
import type { CommandResult } from '../../../system.js';
import { keyValues, valueOf } from '../../common/text.js';
import type { ProductContext, Unknowns } from '../product.js';
import { describeFailure, product } from '../product.js';

const CTL = '/opt/sentinelone/bin/sentinelctl';
const PROCESSES = ['s1-agent', 's1-orchestrator', 's1-scanner', 'sentinelone-age'];

export async function detectSentinelOne(ctx: ProductContext): Promise<ProtectionProduct | null> {
  const { system, processes } = ctx;
  const installed = (await system.stat(CTL)) !== null;
  const seen = PROCESSES.filter((p) => processes.has(p));
  if (!installed && !seen.length) return null;
  const evidence = [seen.length ? `processes ${seen.join(', ')}` : 'no SentinelOne process seen'];
  const unknown: Unknowns = [];
  const run = (args: string[]): Promise<CommandResult> => (installed ? system.run(CTL, args, { timeoutMs: ctx.commandTimeoutMs }) : Promise.resolve({ kind: 'not-found' }));
  const [ver, control, engines, mgmt] = await Promise.all([run(['version']), run(['control', 'status']), run(['engines', 'status']), run(['management', 'status'])]);
  const text = (r: CommandResult, what: string): string => {
    if (r.kind === 'ok' && r.code === 0) return r.stdout;
    evidence.push(describeFailure(`sentinelctl ${what}`, r));
    return '';
  };
  const kv = keyValues([text(ver, 'version'), text(control, 'control status'), text(engines, 'engines status'), text(mgmt, 'management status')].join('\n'));
  const version = valueOf(kv, /^agent version$/)?.match(/^[\d.]+/)?.[0] ?? null;
  const state = valueOf(kv, /^agent state$/);
  const dfi = valueOf(kv, /^dfi engine$/);
  const dynamic = valueOf(kv, /^dynamic engine$/);
  const connectivity = valueOf(kv, /^connectivity$/);
  if (state) evidence.push(`Agent state ${state}`);
  if (dfi || dynamic) evidence.push(`engines: DFI ${dfi ?? '?'}, dynamic ${dynamic ?? '?'}`);
  if (connectivity) evidence.push(`management connectivity ${connectivity}`);

  const agentEnabled = state ? /^enabled/i.test(state) : null;
  const anyEngine = dfi || dynamic ? [dfi, dynamic].some((v) => v && /^enabled/i.test(v)) : null;
  let running: boolean | null = seen.length > 0 ? true : agentEnabled;
  if (running === null && control.kind === 'ok') running = false;
  let realTime: boolean | null = agentEnabled === false || anyEngine === false ? false : agentEnabled && anyEngine ? true : null;
  if (running === false) realTime = false;
  if (running === null) unknown.push({ field: 'running', reason: 'no SentinelOne process and no agent state from sentinelctl' });
  if (realTime === null) unknown.push({ field: 'realTime', reason: agentEnabled === null ? 'sentinelctl control status gave no Agent state' : 'sentinelctl engines status gave no engine state' });
  if (!version) unknown.push({ field: 'version', reason: 'sentinelctl version gave no agent version' });
  evidence.push('no dated signatures (static AI models): signature age does not apply');
  return product(
    {
      id: 'sentinelone',
      name: 'SentinelOne',
      vendor: 'SentinelOne',
      version,
      installed: true,
      running,
      realTime,
      signatureVersion: valueOf(kv, /^dfi library version$/),
      signatureDate: null,
      signatureAgeHours: null,
      signatureless: true,
      antiMalware: true,
      evidence,
      unknown,
    },
    ctx,
  );
}
