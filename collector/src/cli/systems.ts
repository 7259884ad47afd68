/** posture systems list | import | set | remove */
import { readFileSync } from 'node:fs';
import { deleteSystem, putSystem, unclassifiedSystems } from '../admin/actions.js';
import { ApiFailure } from '../errors.js';
import { parseRegistry, type SystemRecord } from '../store/systems.js';
import { cliActor, printTable, withStore, type Register } from './common.js';

interface SetOptions {
  name?: string;
  owner?: string;
  level?: string;
  approval?: string;
  plan?: string;
  planDate?: string;
  tags?: string;
  legalBasis?: string;
}

/** Apply `posture systems set` options over an existing record (or a new one). */
export function applySetOptions(id: string, base: Partial<SystemRecord> | undefined, o: SetOptions): Record<string, unknown> {
  const rec: Record<string, unknown> = { tags: [], ...base, id };
  if (o.name !== undefined) rec.name = o.name;
  if (o.owner !== undefined) rec.ownerUnit = o.owner;
  if (o.level !== undefined) rec.level = o.level === 'none' ? undefined : Number(o.level);
  if (o.approval !== undefined) {
    const m = /^(.+)@(\d{4}-\d{2}-\d{2})$/.exec(o.approval);
    if (!m) throw new ApiFailure('REQUEST_INVALID', `--approval must be "<decision number>@<YYYY-MM-DD>", e.g. "123/QĐ-BGTVT@2022-03-15"; got "${o.approval}"`);
    rec.approval = { number: m[1], date: m[2] };
  }
  if (o.plan !== undefined) {
    if (!['full', 'partial', 'none'].includes(o.plan)) throw new ApiFailure('REQUEST_INVALID', `--plan must be full, partial or none; got "${o.plan}"`);
    rec.protectionPlan = { ...(rec.protectionPlan as object | undefined), deployed: o.plan === 'full', status: o.plan };
  }
  if (o.planDate !== undefined) rec.protectionPlan = { deployed: false, ...(rec.protectionPlan as object | undefined), date: o.planDate };
  if (o.tags !== undefined)
    rec.tags = o.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
  if (o.legalBasis !== undefined) rec.legalBasis = o.legalBasis;
  for (const k of Object.keys(rec)) if (rec[k] === undefined) delete rec[k];
  return rec;
}

export const registerSystems: Register = (program, ctx) => {
  const systems = program.command('systems').description('the registry of information systems: list, import, set, remove');
  systems
    .command('list')
    .description('list the registry, and the systems agents declare that it lacks (unclassified)')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const { rows, unclassified } = withStore(ctx, (c) => ({
        rows: c.systems.all().map((s) => ({
          id: s.id,
          name: s.name,
          owner: s.ownerUnit,
          level: s.level ?? null,
          approval: s.approval ? `${s.approval.number} (${s.approval.date})` : null,
          plan: s.protectionPlan?.status ?? (s.protectionPlan?.deployed ? 'deployed' : 'no'),
          tags: s.tags,
          source: c.systems.sourceOf(s.id),
        })),
        unclassified: unclassifiedSystems(c).map((s) => ({ id: s.id, unit: s.unit, hosts: s.hosts })),
      }));
      if (o.json) return void process.stdout.write(JSON.stringify({ systems: rows, unclassified }, null, 2) + '\n');
      printTable(rows, ['id', 'name', 'owner', 'level', 'approval', 'plan', 'tags', 'source'], false);
      if (unclassified.length) {
        process.stdout.write('\nUnclassified (declared by agents, not in the registry; they count as not classified):\n');
        printTable(unclassified, ['id', 'unit', 'hosts'], false);
      }
    });
  systems
    .command('import <file>')
    .description('add or update systems from a YAML file (same format as registryFile); all or nothing')
    .action((file: string) => {
      const records = parseRegistry(readFileSync(file, 'utf8'), file);
      const n = withStore(ctx, (c) => {
        // Validate every record before storing any.
        for (const r of records) {
          if (c.systems.sourceOf(r.id) === 'file') throw new ApiFailure('CONFLICT', `${file}: system "${r.id}" is managed by the registry file ${c.config.registryFile ?? ''}; change it there`);
          if (!c.config.units.some((u) => u.id === r.ownerUnit)) throw new ApiFailure('REQUEST_INVALID', `${file}: system "${r.id}": ownerUnit "${r.ownerUnit}" is not a configured unit`);
        }
        c.atomically(() => records.forEach((r) => putSystem(c, r, cliActor())));
        return records.length;
      });
      process.stdout.write(`imported ${n} system(s) from ${file}\n`);
    });
  systems
    .command('set <id>')
    .description('create or change one system')
    .option('--name <name>')
    .option('--owner <unit>', 'owner unit id')
    .option('--level <1-5|none>', 'security level (Decree 85/2016)')
    .option('--approval <number@date>', 'approval decision, e.g. "123/QĐ-BGTVT@2022-03-15"')
    .option('--plan <full|partial|none>', 'protection plan of the level deployed')
    .option('--plan-date <YYYY-MM-DD>')
    .option('--tags <a,b>', 'comma-separated tags, e.g. portal')
    .option('--legal-basis <text>')
    .action((id: string, o: SetOptions) => {
      const out = withStore(ctx, (c) => putSystem(c, applySetOptions(id, c.systems.get(id), o), cliActor(), id));
      process.stdout.write(`system ${id} ${out.created ? 'created' : 'updated'}\n`);
    });
  systems
    .command('remove <id>')
    .description('remove a system added through the API/CLI')
    .action((id: string) => {
      withStore(ctx, (c) => deleteSystem(c, id, cliActor()));
      process.stdout.write(`system ${id} removed\n`);
    });
};
