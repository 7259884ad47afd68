/** posture hosts list | show | decommission */
import { decommissionHost, findHost, hostList } from '../admin/actions.js';
import { cliActor, printTable, withStore, type Register } from './common.js';

export const registerHosts: Register = (program, ctx) => {
  const hosts = program.command('hosts').description('hosts: latest state, stale hosts, decommissioning');
  hosts
    .command('list')
    .description('list hosts with their latest state; stale ones count as not protected')
    .option('--unit <unit>', 'only this unit')
    .option('--stale', 'only hosts silent longer than staleAfterMinutes')
    .option('--decommissioned', 'include decommissioned hosts')
    .option('--json', 'print JSON')
    .action((o: { unit?: string; stale?: boolean; decommissioned?: boolean; json?: boolean }) => {
      let rows = withStore(ctx, (c) => hostList(c, new Date(), Boolean(o.decommissioned)));
      if (o.unit) rows = rows.filter((h) => h.unit === o.unit);
      if (o.stale) rows = rows.filter((h) => h.stale);
      printTable(rows, ['id', 'unit', 'hostname', 'role', 'protected', 'stale', 'lastSeen', 'decommissionedAt'], Boolean(o.json));
    });
  hosts
    .command('show <agentIdOrHostname>')
    .description("a host's state and its latest full report (JSON)")
    .action((key: string) => {
      const out = withStore(ctx, (c) => {
        const h = findHost(c, key);
        return { ...h, latestReport: c.hosts.latestReport(h.agent_id) ?? null, audit: c.audit.list({ subject: h.agent_id }) };
      });
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    });
  hosts
    .command('decommission <agentIdOrHostname>')
    .description('take a host out of every denominator (and revoke its agent), with an audit record')
    .requiredOption('--reason <text>', 'why, for the audit record (e.g. "retired, ticket 1234")')
    .action((key: string, o: { reason: string }) => {
      const h = withStore(ctx, (c) => decommissionHost(c, key, o.reason, cliActor()));
      process.stdout.write(`host ${h.agent_id} (${h.hostname}, ${h.unit}) decommissioned at ${h.decommissioned_at}; its agent credential is revoked\n`);
    });
};
