/** posture agents list | revoke */
import { revokeAgent } from '../admin/actions.js';
import { cliActor, printTable, withStore, type Register } from './common.js';

export const registerAgents: Register = (program, ctx) => {
  const agents = program.command('agents').description('enrolled agents: list, revoke');
  agents
    .command('list')
    .description('list enrolled agents (credentials are stored hashed and never shown)')
    .option('--unit <unit>', 'only this unit')
    .option('--revoked', 'only revoked agents')
    .option('--json', 'print JSON')
    .action((o: { unit?: string; revoked?: boolean; json?: boolean }) => {
      const rows = withStore(ctx, (c) => c.agents.list({ unit: o.unit, ...(o.revoked ? { revoked: true } : {}) }));
      printTable(rows as unknown as Record<string, unknown>[], ['id', 'unit', 'hostname', 'enrolled_at', 'last_seen', 'revoked_at'], Boolean(o.json));
    });
  agents
    .command('revoke <agentId>')
    .description("revoke an agent's credential: its reports are refused from now on")
    .option('--reason <text>', 'why, for the audit log', '')
    .action((id: string, o: { reason: string }) => {
      withStore(ctx, (c) => revokeAgent(c, id, cliActor(), o.reason));
      process.stdout.write(`agent ${id} revoked\n`);
    });
};
