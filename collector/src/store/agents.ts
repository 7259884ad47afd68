/** Units (with their enrollment secret hashes) and enrolled agents (with credential hashes). */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { DB } from './db.js';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface AgentRow {
  id: string;
  unit: string;
  hostname: string;
  revoked_at: string | null;
}

export class AgentStore {
  constructor(private readonly db: DB) {}

  /** Make the units table match the config (secrets are stored as hashes only). */
  syncUnits(units: readonly { id: string; name: string; enrollmentSecret?: string | undefined }[]): void {
    const upsert = this.db.prepare(
      `INSERT INTO units (id, name, secret_hash) VALUES (@id, @name, @hash)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, secret_hash = excluded.secret_hash`,
    );
    this.db.transaction(() => {
      for (const u of units) upsert.run({ id: u.id, name: u.name, hash: u.enrollmentSecret ? sha256(u.enrollmentSecret) : null });
    })();
  }

  units(): { id: string; name: string }[] {
    return this.db.prepare('SELECT id, name FROM units ORDER BY id').all() as { id: string; name: string }[];
  }

  /** True when `secret` is the unit's enrollment secret (constant-time compare of hashes). */
  checkSecret(unit: string, secret: string): 'ok' | 'unknown-unit' | 'denied' {
    const row = this.db.prepare('SELECT secret_hash FROM units WHERE id = ?').get(unit) as { secret_hash: string | null } | undefined;
    if (!row) return 'unknown-unit';
    if (!row.secret_hash) return 'denied';
    const a = Buffer.from(row.secret_hash, 'hex');
    const b = Buffer.from(sha256(secret), 'hex');
    return timingSafeEqual(a, b) ? 'ok' : 'denied';
  }

  /** Enroll a new agent of `unit`; returns its id and the credential (shown only once). */
  enroll(unit: string, hostname: string, machineId: string): { agentId: string; credential: string } {
    const agentId = `a-${randomUUID()}`;
    const credential = `pa_${randomBytes(32).toString('base64url')}`;
    this.db
      .prepare('INSERT INTO agents (id, unit, credential_hash, hostname, machine_id, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(agentId, unit, sha256(credential), hostname, machineId, new Date().toISOString());
    return { agentId, credential };
  }

  byCredential(credential: string): AgentRow | undefined {
    return this.db.prepare('SELECT id, unit, hostname, revoked_at FROM agents WHERE credential_hash = ?').get(sha256(credential)) as AgentRow | undefined;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM agents').get() as { n: number }).n;
  }
}
