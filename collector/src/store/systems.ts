/**
 * The registry of information systems: level (1-5), approval decision, protection plan.
 * Loaded from a YAML file under version control; systems that agents declare but the registry
 * lacks are "unclassified" and count in the denominator of indicator 11.
 */
import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Ident } from '@posture/protocol';
import { parseDocument } from 'yaml';
import type { DB } from './db.js';

const DateStr = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

export const SystemRecord = Type.Object(
  {
    id: Ident,
    name: Type.String({ minLength: 1, maxLength: 256 }),
    ownerUnit: Ident,
    /** Security level 1-5 (Decree 85/2016); absent while not yet determined. */
    level: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    approval: Type.Optional(Type.Object({ number: Type.String({ minLength: 1, maxLength: 128 }), date: DateStr }, { additionalProperties: false })),
    protectionPlan: Type.Optional(Type.Object({ deployed: Type.Boolean(), date: Type.Optional(DateStr) }, { additionalProperties: false })),
    tags: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32, default: [] }),
    legalBasis: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);
export type SystemRecord = Static<typeof SystemRecord>;

export class RegistryError extends Error {
  readonly code = 'REGISTRY_INVALID';
}

export function parseRegistry(text: string, file: string): SystemRecord[] {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) throw new RegistryError(`${file}: YAML syntax: ${doc.errors[0]!.message.split('\n')[0]}`);
  const raw = doc.toJS() as { systems?: unknown } | null;
  if (!raw || !Array.isArray(raw.systems)) throw new RegistryError(`${file}: expected a top-level "systems:" list`);
  const seen = new Set<string>();
  return raw.systems.map((s, i) => {
    const filled = Value.Default(SystemRecord, Value.Clone(s));
    const errs = [...Value.Errors(SystemRecord, filled)];
    const label = `${file}: systems[${i}]${s && typeof s === 'object' && 'id' in s ? ` (${String((s as { id: unknown }).id)})` : ''}`;
    if (errs.length) throw new RegistryError(`${label}: ${errs.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`);
    const rec = filled as SystemRecord;
    if (seen.has(rec.id)) throw new RegistryError(`${label}: duplicate system id "${rec.id}"`);
    seen.add(rec.id);
    return rec;
  });
}

export class SystemStore {
  constructor(private readonly db: DB) {}

  /** Replace the registry with the records of a file (validated first; all or nothing). */
  loadFile(file: string): number {
    const records = parseRegistry(readFileSync(file, 'utf8'), file);
    this.replaceAll(records);
    return records.length;
  }

  replaceAll(records: SystemRecord[]): void {
    const ins = this.db.prepare(`INSERT INTO systems (id, name, owner_unit, level, approval_number, approval_date, plan_deployed, plan_date, tags, legal_basis)
      VALUES (@id, @name, @ownerUnit, @level, @approvalNumber, @approvalDate, @planDeployed, @planDate, @tags, @legalBasis)`);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM systems').run();
      for (const r of records) {
        ins.run({
          id: r.id,
          name: r.name,
          ownerUnit: r.ownerUnit,
          level: r.level ?? null,
          approvalNumber: r.approval?.number ?? null,
          approvalDate: r.approval?.date ?? null,
          planDeployed: r.protectionPlan?.deployed ? 1 : 0,
          planDate: r.protectionPlan?.date ?? null,
          tags: JSON.stringify(r.tags),
          legalBasis: r.legalBasis ?? null,
        });
      }
    })();
  }

  all(): SystemRecord[] {
    const rows = this.db.prepare('SELECT * FROM systems ORDER BY id').all() as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as string,
      name: r.name as string,
      ownerUnit: r.owner_unit as string,
      ...(r.level !== null ? { level: r.level as number } : {}),
      ...(r.approval_number ? { approval: { number: r.approval_number as string, date: r.approval_date as string } } : {}),
      protectionPlan: { deployed: r.plan_deployed === 1, ...(r.plan_date ? { date: r.plan_date as string } : {}) },
      tags: JSON.parse(r.tags as string) as string[],
      ...(r.legal_basis ? { legalBasis: r.legal_basis as string } : {}),
    }));
  }
}
