/**
 * Units (with their enrollment secrets, scrypt-hashed, with an expiry) and enrolled agents
 * (with credential hashes; revocable, listable).
 */
import { randomUUID } from 'node:crypto';
import { hashSecret, newToken, sha256, verifySecret, verifySecretSync } from '../auth/secrets.js';
import type { DB } from './db.js';
import { StoreSnapshot } from './snapshot.js';

export interface AgentRow {
  id: string;
  unit: string;
  hostname: string;
  revoked_at: string | null;
}

export interface AgentListRow extends AgentRow {
  machine_id: string;
  enrolled_at: string;
  /** When the host last reported (received), null when it never did. */
  last_seen: string | null;
}

export interface AgentFilter {
  id?: string;
  unit?: string | undefined;
  revoked?: boolean | undefined;
}

const LIST_SQL = 'SELECT a.id, a.unit, a.hostname, a.machine_id, a.enrolled_at, a.revoked_at, h.received_at AS last_seen FROM agents a LEFT JOIN hosts h ON h.agent_id = a.id';
/** Unique (ids are), and the agents_listing index's. */
const LIST_ORDER = 'a.unit, a.hostname, a.id';

function agentFilter(filter: AgentFilter): { where: string[]; args: string[] } {
  const where: string[] = [];
  const args: string[] = [];
  if (filter.id) {
    where.push('a.id = ?');
    args.push(filter.id);
  }
  if (filter.unit) {
    where.push('a.unit = ?');
    args.push(filter.unit);
  }
  if (filter.revoked !== undefined) where.push(filter.revoked ? 'a.revoked_at IS NOT NULL' : 'a.revoked_at IS NULL');
  return { where, args };
}

export interface UnitConfigLike {
  id: string;
  name: string;
  enrollmentSecret?: string | undefined;
  enrollmentSecretExpires?: string | undefined;
}

export type SecretCheck = 'ok' | 'unknown-unit' | 'denied' | 'expired';

/** Normalise an expiry (date or date-time) to an ISO instant; a bare date lasts the whole day (UTC). */
export const expiryInstant = (s: string | undefined): string | null => (s ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T23:59:59.999Z` : s).toISOString() : null);

/** Live agents kept by credential hash at most; past it the cache starts again (a ministry has tens of thousands). */
const CACHED_AGENTS = 500_000;

export class AgentStore {
  private readonly byHash;
  private readonly revokedAtOf;
  /**
   * Live (unrevoked) agents by credential hash, as read. An agent row never changes but for its
   * revocation, and the only thing a credential opens is the ingest of reports, whose commit
   * reads the revocation again in its transaction (ingest-commit.ts): so a revocation by the CLI,
   * in another process, refuses the agent's next report although this cache still holds it, and
   * the route then forgets the entry. Under load the lookup in SQLite cost ~35 µs of the event
   * loop per report (a read transaction beside the commit thread's writes).
   */
  private readonly live = new Map<string, AgentRow>();

  constructor(private readonly db: DB) {
    this.byHash = db.prepare('SELECT id, unit, hostname, revoked_at FROM agents WHERE credential_hash = ?');
    this.revokedAtOf = db.prepare('SELECT revoked_at FROM agents WHERE id = ?').pluck();
  }

  /**
   * Make the units table match the config. A config secret replaces the stored one only when it
   * differs (checked with scrypt) and the stored one was not rotated from the CLI since; returns
   * the ids of units whose config secret was ignored for that reason, so the caller can warn.
   */
  syncUnits(units: readonly UnitConfigLike[], now = new Date()): { ignoredConfigSecret: string[] } {
    const ignored: string[] = [];
    const get = this.db.prepare('SELECT secret_hash, secret_source, secret_expires_at FROM units WHERE id = ?');
    const upsertName = this.db.prepare('INSERT INTO units (id, name) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name');
    const setSecret = this.db.prepare("UPDATE units SET secret_hash = ?, secret_expires_at = ?, secret_set_at = ?, secret_source = 'config' WHERE id = ?");
    const setExpiry = this.db.prepare('UPDATE units SET secret_expires_at = ? WHERE id = ?');
    // Hash outside the transaction: scrypt is the slow part.
    const plan = units.map((u) => {
      const row = get.get(u.id) as { secret_hash: string | null; secret_source: string | null; secret_expires_at: string | null } | undefined;
      const expires = expiryInstant(u.enrollmentSecretExpires);
      if (!u.enrollmentSecret) return { u, action: 'none' as const, expires };
      if (row?.secret_hash && verifySecretSync(u.enrollmentSecret, row.secret_hash)) {
        return { u, action: row.secret_source === 'config' && row.secret_expires_at !== expires ? ('expiry' as const) : ('none' as const), expires };
      }
      if (row?.secret_source === 'cli') {
        ignored.push(u.id);
        return { u, action: 'none' as const, expires };
      }
      return { u, action: 'set' as const, expires, hash: hashSecret(u.enrollmentSecret) };
    });
    this.db
      .transaction(() => {
        for (const p of plan) {
          upsertName.run(p.u.id, p.u.name);
          if (p.action === 'set') setSecret.run(p.hash, p.expires, now.toISOString(), p.u.id);
          if (p.action === 'expiry') setExpiry.run(p.expires, p.u.id);
        }
      })
      .immediate();
    return { ignoredConfigSecret: ignored };
  }

  /** A new random enrollment secret for `unit` (shown once), replacing the old one at once. */
  rotateSecret(unit: string, expiresAt: Date | null, now = new Date()): { ok: true; secret: string } | { ok: false; code: 'UNKNOWN_UNIT' } {
    const secret = newToken('pe');
    const r = this.db.prepare("UPDATE units SET secret_hash = ?, secret_expires_at = ?, secret_set_at = ?, secret_source = 'cli' WHERE id = ?").run(hashSecret(secret), expiresAt?.toISOString() ?? null, now.toISOString(), unit);
    if (r.changes !== 1) return { ok: false, code: 'UNKNOWN_UNIT' };
    return { ok: true, secret };
  }

  units(): { id: string; name: string; secret_set_at: string | null; secret_expires_at: string | null; secret_source: string | null }[] {
    return this.db.prepare('SELECT id, name, secret_set_at, secret_expires_at, secret_source FROM units ORDER BY id').all() as ReturnType<AgentStore['units']>;
  }

  /** Whether `secret` is the unit's current, unexpired enrollment secret (scrypt off the event loop). */
  async checkSecret(unit: string, secret: string, now = new Date()): Promise<SecretCheck> {
    const row = this.db.prepare('SELECT secret_hash, secret_expires_at FROM units WHERE id = ?').get(unit) as { secret_hash: string | null; secret_expires_at: string | null } | undefined;
    if (!row) return 'unknown-unit';
    if (!row.secret_hash) return 'denied';
    if (!(await verifySecret(secret, row.secret_hash))) return 'denied';
    // Expiry is told only to holders of the right secret, so it leaks nothing to guessers.
    if (row.secret_expires_at && Date.parse(row.secret_expires_at) <= now.getTime()) return 'expired';
    return 'ok';
  }

  secretExpiry(unit: string): string | null {
    return (this.db.prepare('SELECT secret_expires_at FROM units WHERE id = ?').get(unit) as { secret_expires_at: string | null } | undefined)?.secret_expires_at ?? null;
  }

  /** Enroll a new agent of `unit`; returns its id and the credential (shown only once). */
  enroll(unit: string, hostname: string, machineId: string): { agentId: string; credential: string } {
    const agentId = `a-${randomUUID()}`;
    const credential = newToken('pa');
    this.db.prepare('INSERT INTO agents (id, unit, credential_hash, hostname, machine_id, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)').run(agentId, unit, sha256(credential), hostname, machineId, new Date().toISOString());
    return { agentId, credential };
  }

  byCredential(credential: string): AgentRow | undefined {
    const hash = sha256(credential);
    const cached = this.live.get(hash);
    if (cached) return cached;
    const row = this.byHash.get(hash) as AgentRow | undefined;
    if (row && !row.revoked_at) {
      if (this.live.size >= CACHED_AGENTS) this.live.clear();
      this.live.set(hash, row);
    }
    return row;
  }

  /** Whether the agent is revoked (or gone), as the store says now: the ingest transaction asks. */
  isRevoked(id: string): boolean {
    const r = this.revokedAtOf.get(id) as string | null | undefined;
    return r !== null;
  }

  /** Drop an agent from the credential cache: it was found revoked (by another process). */
  forget(id: string): void {
    for (const [hash, row] of this.live) if (row.id === id) this.live.delete(hash);
  }

  list(filter: AgentFilter = {}): AgentListRow[] {
    const { where, args } = agentFilter(filter);
    return this.db.prepare(`${LIST_SQL} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${LIST_ORDER}`).all(...args) as AgentListRow[];
  }

  /**
   * The agents list() returns, in its order, read `size` at a time from one snapshot of the
   * store (snapshot.ts: agents enrolled or revoked while the chunks are read change nothing in
   * the list), each chunk after the last row of the one before (the order is agents_listing's).
   * close() once read, or given up.
   */
  listChunks(filter: AgentFilter = {}, size = 500): { chunks: Iterable<AgentListRow[]>; close: () => void } {
    const snapshot = new StoreSnapshot(this.db);
    const { where, args } = agentFilter(filter);
    function* chunks(): Generator<AgentListRow[], void, undefined> {
      try {
        const first = snapshot.db.prepare(`${LIST_SQL} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${LIST_ORDER} LIMIT ?`);
        const after = snapshot.db.prepare(`${LIST_SQL} WHERE ${[...where, `(${LIST_ORDER}) > (?, ?, ?)`].join(' AND ')} ORDER BY ${LIST_ORDER} LIMIT ?`);
        let last: AgentListRow | undefined;
        while (snapshot.open) {
          const rows = (last ? after.all(...args, last.unit, last.hostname, last.id, size) : first.all(...args, size)) as AgentListRow[];
          if (rows.length) yield rows;
          if (rows.length < size) return;
          last = rows.at(-1);
        }
      } finally {
        snapshot.close();
      }
    }
    return { chunks: { [Symbol.iterator]: chunks }, close: () => snapshot.close() };
  }

  get(id: string): AgentListRow | undefined {
    return this.list({ id })[0];
  }

  /** A unit's agents counted in SQL: enrolled, revoked, and live ones whose host never reported. */
  unitCounts(unit: string): { enrolled: number; revoked: number; neverReported: number } {
    return this.db
      .prepare(
        `SELECT count(*) AS enrolled, coalesce(sum(a.revoked_at IS NOT NULL), 0) AS revoked,
           coalesce(sum(a.revoked_at IS NULL AND NOT EXISTS (SELECT 1 FROM hosts h WHERE h.agent_id = a.id)), 0) AS neverReported
         FROM agents a WHERE a.unit = ?`,
      )
      .get(unit) as { enrolled: number; revoked: number; neverReported: number };
  }

  /** Revoke an agent's credential; false when it does not exist or was already revoked. */
  revoke(id: string, now = new Date()): boolean {
    this.forget(id);
    return this.db.prepare('UPDATE agents SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now.toISOString(), id).changes === 1;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM agents').get() as { n: number }).n;
  }
}
