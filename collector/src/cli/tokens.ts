/** posture tokens create | list | revoke | hash: admin and viewer API tokens. */
import { sha256 } from '../auth/secrets.js';
import { cliActor, expiresIn, printTable, withStore, type Register } from './common.js';
import { ApiFailure } from '../errors.js';

export const registerTokens: Register = (program, ctx) => {
  const tokens = program.command('tokens').description('admin and viewer API tokens for the read and admin APIs');
  tokens
    .command('create <name>')
    .description('make a token (printed once; only its hash is kept)')
    .requiredOption('--role <role>', 'admin | viewer')
    .option('--expires-days <n>', 'days until it stops working')
    .action((name: string, o: { role: string; expiresDays?: string }) => {
      if (o.role !== 'admin' && o.role !== 'viewer') throw new ApiFailure('REQUEST_INVALID', `--role must be admin or viewer, got "${o.role}"`);
      const role = o.role;
      const token = withStore(ctx, (c) => {
        const t = c.tokens.create(name, role, expiresIn(o.expiresDays));
        if (!t.ok) throw new ApiFailure('CONFLICT', `a token named "${name}" exists; revoke it first or pick another name`);
        c.audit.record(cliActor(), 'token.create', name, { role });
        return t.token;
      });
      process.stdout.write(`${token}\n`);
      process.stderr.write(`token "${name}" (${role}) created; it is shown only now. Send it as "Authorization: Bearer <token>".\n`);
    });
  tokens
    .command('list')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const rows = withStore(ctx, (c) => c.tokens.list());
      printTable(rows as unknown as Record<string, unknown>[], ['name', 'role', 'source', 'created_at', 'expires_at', 'revoked_at'], Boolean(o.json));
    });
  tokens.command('revoke <name>').action((name: string) => {
    const ok = withStore(ctx, (c) => {
      const done = c.tokens.revoke(name);
      if (done) c.audit.record(cliActor(), 'token.revoke', name);
      return done;
    });
    if (!ok) throw new ApiFailure('NOT_FOUND', `no live token named "${name}"; see "posture tokens list"`);
    process.stdout.write(`token "${name}" revoked\n`);
  });
  tokens
    .command('hash')
    .description('read a token on stdin and print the sha256 to put under auth.tokens in the config')
    .action(async () => {
      let text = '';
      for await (const chunk of process.stdin) text += String(chunk);
      process.stdout.write(`${sha256(text.trim())}\n`);
    });
};
