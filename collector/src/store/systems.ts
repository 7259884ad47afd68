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

const Text = (max = 256) => Type.String({ minLength: 1, maxLength: max });
const Closed = <T extends Parameters<typeof Type.Object>[0]>(p: T) => Type.Object(p, { additionalProperties: false });

/**
 * One information system. The fields used by the indicators come first; the rest follow the
 * Circular 12/2022 annual report and Directive 14/CT-TTg's 4-layer model, all optional, and are
 * kept whole (JSON) so adding one needs no migration.
 */
export const SystemRecord = Closed({
  id: Ident,
  name: Text(),
  ownerUnit: Ident,
  /** Security level 1-5 (Decree 85/2016); absent while not yet determined. */
  level: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  /** The decision that approved the level. */
  approval: Type.Optional(Closed({ number: Text(128), date: DateStr, signer: Type.Optional(Text()) })),
  protectionPlan: Type.Optional(
    Closed({
      deployed: Type.Boolean(),
      date: Type.Optional(DateStr),
      /** As in the Circular 12 annual report: deployed in full, partially, or not at all. */
      status: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('partial'), Type.Literal('none')])),
    }),
  ),
  tags: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32, default: [] }),
  legalBasis: Type.Optional(Type.String({ maxLength: 512 })),
  /** The unit that runs it, when not the owner. */
  operatorUnit: Type.Optional(Ident),
  /** e.g. "portal", "public-service", "internal", "infrastructure". */
  systemType: Type.Optional(Text(64)),
  proposedLevel: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  userCount: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Decision issuing the system's security regulation (quy chế bảo đảm ATTT). */
  securityRegulation: Type.Optional(Closed({ number: Text(128), date: DateStr })),
  assessment: Type.Optional(Closed({ last: Type.Optional(DateStr), next: Type.Optional(DateStr) })),
  hosting: Type.Optional(Text()),
  /** Directive 14/CT-TTg 4-layer model. */
  fourLayer: Type.Optional(
    Closed({
      onSiteTeam: Type.Optional(Type.Boolean()),
      socProvider: Type.Optional(Text()),
      lastIndependentAssessment: Type.Optional(DateStr),
      connectedToNationalMonitoring: Type.Optional(Type.Boolean()),
    }),
  ),
  /** Servers of the system, for operators (agents declare membership themselves). */
  components: Type.Optional(Type.Array(Closed({ hostname: Type.Optional(Text(253)), ip: Type.Optional(Text(64)), role: Type.Optional(Text(64)) }), { maxItems: 256 })),
  notes: Type.Optional(Type.String({ maxLength: 2048 })),
  /**
   * Portal prober (collector/src/portals/): where the public reaches a system tagged `portal`.
   * List www and the bare domain both when both are published.
   */
  portal: Type.Optional(
    Closed({
      /** e.g. ["https://www.mt.gov.vn/", "https://mt.gov.vn/"] */
      urls: Type.Array(Type.String({ pattern: '^https?://[^\\s/?#]+(?:[/?#]\\S*)?$', maxLength: 2048 }), { minItems: 1, maxItems: 8 }),
      /** The zone whose name servers and MX are checked; default: the first URL's host without "www.". */
      domain: Type.Optional(Type.String({ pattern: '^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$' })),
      /** Check the domain's MX over IPv6 (default true). */
      mail: Type.Optional(Type.Boolean()),
    }),
  ),
});
export type SystemRecord = Static<typeof SystemRecord>;

export class RegistryError extends Error {
  readonly code = 'REGISTRY_INVALID';
}

/** Validate one record (defaults filled); throws RegistryError naming `label` and the fields. */
export function validateSystem(s: unknown, label: string): SystemRecord {
  const filled = Value.Default(SystemRecord, Value.Clone(s));
  const errs = [...Value.Errors(SystemRecord, filled)];
  if (errs.length) throw new RegistryError(`${label}: ${errs.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`);
  return filled as SystemRecord;
}

export function parseRegistry(text: string, file: string): SystemRecord[] {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) throw new RegistryError(`${file}: YAML syntax at line ${doc.errors[0]!.linePos?.[0]?.line ?? '?'}: ${doc.errors[0]!.message.split('\n')[0]}`);
  const raw = doc.toJS() as { systems?: unknown } | null;
  if (!raw || !Array.isArray(raw.systems)) throw new RegistryError(`${file}: expected a top-level "systems:" list`);
  const seen = new Set<string>();
  return raw.systems.map((s, i) => {
    const label = `${file}: systems[${i}]${s && typeof s === 'object' && 'id' in s ? ` (${String((s as { id: unknown }).id)})` : ''}`;
    const rec = validateSystem(s, label);
    if (seen.has(rec.id)) throw new RegistryError(`${label}: duplicate system id "${rec.id}"`);
    seen.add(rec.id);
    return rec;
  });
}

/** Where a record came from: the version-controlled registry file, or the API/CLI. */
export type SystemSource = 'file' | 'api';

export class SystemStore {
  constructor(private readonly db: DB) {}

  /**
   * Load the registry file: its records replace every record that came from the file before
   * (all or nothing); records added through the API/CLI stay unless the file now has their id.
   */
  loadFile(file: string): number {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new RegistryError(`${file}: cannot read the registry file (registryFile in the config): ${(e as Error).message}`);
    }
    const records = parseRegistry(text, file);
    this.db
      .transaction(() => {
        this.db.prepare("DELETE FROM systems WHERE source = 'file'").run();
        for (const r of records) this.put(r, 'file');
      })
      .immediate();
    return records.length;
  }

  /** Replace every record (tests, and `posture systems import --replace`). */
  replaceAll(records: SystemRecord[], source: SystemSource = 'api'): void {
    this.db
      .transaction(() => {
        this.db.prepare('DELETE FROM systems').run();
        for (const r of records) this.put(r, source);
      })
      .immediate();
  }

  /** Where each record came from, in one query (a registry page of 2,000 systems). */
  sources(): Map<string, SystemSource> {
    return new Map((this.db.prepare('SELECT id, source FROM systems').raw().all() as [string, SystemSource][]).map(([id, s]) => [id, s]));
  }

  sourceOf(id: string): SystemSource | undefined {
    return (this.db.prepare('SELECT source FROM systems WHERE id = ?').get(id) as { source: SystemSource } | undefined)?.source;
  }

  /** Insert or replace one record. */
  put(r: SystemRecord, source: SystemSource = 'api'): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO systems (id, name, owner_unit, level, approval_number, approval_date, plan_deployed, plan_date, tags, legal_basis, record, source)
         VALUES (@id, @name, @ownerUnit, @level, @approvalNumber, @approvalDate, @planDeployed, @planDate, @tags, @legalBasis, @record, @source)`,
      )
      .run({
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
        record: JSON.stringify(r),
        source,
      });
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM systems WHERE id = ?').run(id).changes === 1;
  }

  get(id: string): SystemRecord | undefined {
    const r = this.db.prepare('SELECT * FROM systems WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return r && fromRow(r);
  }

  all(): SystemRecord[] {
    return (this.db.prepare('SELECT * FROM systems ORDER BY id').all() as Record<string, unknown>[]).map(fromRow);
  }
}

function fromRow(r: Record<string, unknown>): SystemRecord {
  if (typeof r.record === 'string') return JSON.parse(r.record) as SystemRecord;
  // Rows written before the record column existed.
  return {
    id: r.id as string,
    name: r.name as string,
    ownerUnit: r.owner_unit as string,
    ...(r.level !== null ? { level: r.level as number } : {}),
    ...(r.approval_number ? { approval: { number: r.approval_number as string, date: r.approval_date as string } } : {}),
    protectionPlan: { deployed: r.plan_deployed === 1, ...(r.plan_date ? { date: r.plan_date as string } : {}) },
    tags: JSON.parse(r.tags as string) as string[],
    ...(r.legal_basis ? { legalBasis: r.legal_basis as string } : {}),
  };
}
