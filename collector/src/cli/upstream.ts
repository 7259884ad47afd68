/**
 * posture upstream enroll | status | requeue   (a unit's collector: its link to the ministry's)
 * posture relays list | revoke       (the ministry's collector: the units' relays)
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { Value } from '@sinclair/typebox/value';
import { RelayEnrollResponse, type RelayEnrollRequest } from '@posture/protocol';
import { UpstreamClient } from '../federation/client.js';
import { cliActor, printTable, withStore, type Register } from './common.js';

export const registerUpstream: Register = (program, ctx) => {
  const upstream = program.command('upstream').description("federation: this unit collector's link to the ministry's collector (config upstream:)");
  const need = () => {
    const up = ctx.config().upstream;
    if (!up) throw new Error('no upstream: section in the collector config; add upstream: {url: https://<ministry collector>} first');
    return up;
  };
  upstream
    .command('enroll')
    .description("trade the unit's enrollment secret (given by the ministry) for a relay credential, kept in upstream.credentialFile")
    .requiredOption('--secret <secret>', "the unit's enrollment secret on the ministry's collector")
    .option('--name <name>', 'how the ministry lists this collector', hostname())
    .action(async (o: { secret: string; name: string }) => {
      const up = need();
      const client = new UpstreamClient(up);
      const req: RelayEnrollRequest = { unit: up.unit!, secret: o.secret, name: o.name };
      const res = await client.post('/api/v1/relay/enroll', JSON.stringify(req), null);
      await client.close();
      if (res.kind !== 'ok') throw new Error(`enrollment with ${up.url} failed (${res.kind === 'refused' ? res.code : `HTTP ${res.status ?? 'unreachable'}`}): ${res.message}`);
      if (!Value.Check(RelayEnrollResponse, res.body)) throw new Error(`${up.url} answered the enrollment with something that is not a relay credential; is it a posture collector?`);
      mkdirSync(dirname(up.credentialFile!), { recursive: true, mode: 0o700 });
      writeFileSync(up.credentialFile!, `${res.body.credential}\n`, { mode: 0o600 });
      chmodSync(up.credentialFile!, 0o600);
      process.stdout.write(`enrolled as relay ${res.body.relayId} of unit ${res.body.unit} at ${up.url}; credential written to ${up.credentialFile}\n`);
    });
  upstream
    .command('status')
    .description('reports waiting to be forwarded, and those the ministry refused for good')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const up = need();
      const s = withStore(ctx, (c) => ({ url: up.url, unit: up.unit, queued: c.forwardOutbox.depth(), refused: c.forwardOutbox.refusedCount(), credential: new UpstreamClient(up).credential() ? 'present' : 'missing' }));
      printTable([s], ['url', 'unit', 'queued', 'refused', 'credential'], Boolean(o.json));
    });
  upstream
    .command('requeue')
    .description('send the reports the ministry refused again (e.g. after fixing a wrong relay credential)')
    .option('--code <code>', 'only those refused with this code, e.g. UNIT_MISMATCH')
    .action((o: { code?: string }) => {
      need();
      const n = withStore(ctx, (c) => {
        const moved = c.forwardOutbox.requeue(o.code);
        c.audit.record(cliActor(), 'upstream.requeue', o.code ?? '*', { reports: moved });
        return moved;
      });
      process.stdout.write(`${n} refused report(s) queued again for the ministry collector\n`);
    });

  const relays = program.command('relays').description("federation: units' collectors that forward to this one");
  relays
    .command('list')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => printTable(withStore(ctx, (c) => c.relays.list()) as unknown as Record<string, unknown>[], ['id', 'unit', 'name', 'enrolled_at', 'revoked_at'], Boolean(o.json)));
  relays
    .command('revoke <relayId>')
    .description('refuse this relay from now on (the unit collector keeps its reports queued until enrolled again)')
    .action((id: string) => {
      const ok = withStore(ctx, (c) => {
        const r = c.relays.revoke(id);
        if (r) c.audit.record(cliActor(), 'relay.revoke', id);
        return r;
      });
      if (!ok) throw new Error(`relay "${id}" is unknown or already revoked; see "posture relays list"`);
      process.stdout.write(`relay ${id} revoked\n`);
    });
};
