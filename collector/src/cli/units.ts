/** posture units list | rotate-secret: units and their enrollment secrets. */
import { ApiFailure } from '../errors.js';
import { cliActor, expiresIn, printTable, withStore, type Register } from './common.js';

export const registerUnits: Register = (program, ctx) => {
  const units = program.command('units').description('units and their enrollment secrets');
  units
    .command('list')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const rows = withStore(ctx, (c) => c.agents.units());
      printTable(rows, ['id', 'name', 'secret_source', 'secret_set_at', 'secret_expires_at'], Boolean(o.json));
    });
  units
    .command('rotate-secret <unit>')
    .description('make a new enrollment secret for a unit (printed once); the old one stops working now; enrolled agents keep their credentials')
    .option('--expires-days <n>', 'days until the new secret stops working')
    .action((unit: string, o: { expiresDays?: string }) => {
      const expires = expiresIn(o.expiresDays);
      const secret = withStore(ctx, (c) => {
        const r = c.agents.rotateSecret(unit, expires);
        if (!r.ok) throw new ApiFailure('NOT_FOUND', `unit "${unit}" is not configured; add it to units: in the collector config first`);
        c.audit.record(cliActor(), 'unit.secret.rotate', unit, { expiresAt: expires?.toISOString() ?? null });
        return r.secret;
      });
      process.stdout.write(`${secret}\n`);
      process.stderr.write(`new enrollment secret of ${unit}${expires ? `, valid until ${expires.toISOString()}` : ''}; it is shown only now. Remove enrollmentSecret of ${unit} from the config file.\n`);
    });
};
