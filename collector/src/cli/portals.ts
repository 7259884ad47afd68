/** posture portals probe [--system ID] | list | show ID: the outside IPv6 view of the portals. */
import { REASONS, renderReason } from '@posture/protocol';
import { ApiFailure } from '../errors.js';
import { portalRunnerFor } from '../portals/scheduler.js';
import { portalSummaries } from '../routes/portals.js';
import { openStore } from '../store/index.js';
import { printTable, withStore, type Register } from './common.js';

export const registerPortals: Register = (program, ctx) => {
  const portals = program.command('portals').description('IPv6 readiness of the portals as the public sees them (name servers, web, mail, TLS over IPv6)');
  portals
    .command('probe')
    .description('probe every system tagged portal now (or one), store the results with their evidence, print them')
    .option('--system <id>', 'only this system')
    .option('--json', 'print every result with its evidence as JSON')
    .option('--lang <lang>', 'language of the reasons: vi | en', 'vi')
    .action(async (o: { system?: string; json?: boolean; lang: string }) => {
      if (o.lang !== 'vi' && o.lang !== 'en') throw new ApiFailure('REQUEST_INVALID', `--lang must be vi or en, got "${o.lang}"`);
      // The store only (no rule files: a broken one cannot stop a probe).
      const c = openStore(ctx.config(), { syncAuth: false });
      try {
        if (o.system && !c.systems.get(o.system)?.tags.includes('portal')) throw new ApiFailure('NOT_FOUND', `no system ${o.system} tagged portal in the registry`);
        const run = await portalRunnerFor(c).runOnce(o.system);
        if (o.json) {
          process.stdout.write(JSON.stringify(run, null, 2) + '\n');
          return;
        }
        const lang = o.lang;
        for (const r of run.results) {
          process.stdout.write(`${r.systemId} (${r.unit}): level ${r.level}${r.ready ? ', ready' : ''}, ${r.ms} ms\n`);
          for (const k of r.checks) {
            process.stdout.write(`  ${k.criterion.padEnd(17)} ${k.status.padEnd(11)} ${k.reasons.map((x) => renderReason(x, lang, REASONS)).join('; ')}\n`);
          }
        }
        process.stdout.write(`${run.results.length} portal(s) in ${run.ms} ms\n`);
      } finally {
        c.close();
      }
    });
  portals
    .command('list')
    .description("each portal's newest result")
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const rows = withStore(ctx, (c) => portalSummaries(c));
      printTable(
        rows.map((r) => ({ ...r, checks: r.checks.map((k) => `${k.criterion}=${k.status}`).join(' '), blocking: [...new Set(r.blocking.map((b) => b.code))] })),
        ['systemId', 'unit', 'level', 'ready', 'probedAt', 'blocking'],
        Boolean(o.json),
      );
    });
  portals
    .command('show <systemId>')
    .description("a portal's newest result with every check's evidence, and its history (JSON)")
    .option('--limit <n>', 'history entries', '20')
    .action((id: string, o: { limit: string }) => {
      const history = withStore(ctx, (c) => c.portals.history(id, Math.max(1, Number(o.limit) || 20)));
      if (!history.length) throw new ApiFailure('NOT_FOUND', `no portal probe stored for ${id}; run "posture portals probe --system ${id}"`);
      process.stdout.write(JSON.stringify({ latest: history[0]!.result, history: history.map((h) => ({ probedAt: new Date(h.probedAt).toISOString(), level: h.level, ready: h.ready })) }, null, 2) + '\n');
    });
};
