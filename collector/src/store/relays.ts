/**
 * The ministry side of federation: relay credentials, each bound to ONE unit, and the agents
 * that relays bring in. A relayed agent is created on first sight, bound to the relay's unit,
 * with a credential hash no credential can match (it can never post directly).
 */
import { randomUUID } from 'node:crypto';
import { newToken, sha256 } from '../auth/secrets.js';
import type { DB } from './db.js';

export interface RelayRow {
  id: string;
  unit: string;
  name: string;
  revoked_at: string | null;
}

/** An agent a batch will create (inserted together, before the batch's reports are committed). */
export interface NewRelayedAgent {
  id: string;
  unit: string;
  hostname: string;
  machineId: string;
  relayId: string;
}

export type BindOutcome = { ok: true; create: NewRelayedAgent | null } | { ok: false; code: 'AGENT_OTHER_UNIT'; agentUnit: string } | { ok: false; code: 'AGENT_NOT_RELAYED' } | { ok: false; code: 'AGENT_REVOKED'; revokedAt: string };

export class RelayStore {
  private readonly byHash;
  private readonly agentById;

  constructor(private readonly db: DB) {
    this.byHash = db.prepare('SELECT id, unit, name, revoked_at FROM relays WHERE credential_hash = ?');
    this.agentById = db.prepare('SELECT unit, revoked_at, via_relay FROM agents WHERE id = ?');
  }

  /** A new relay of `unit` (its secret already checked); the credential is shown only once. */
  enroll(unit: string, name: string, now = new Date()): { relayId: string; credential: string } {
    const relayId = `r-${randomUUID()}`;
    const credential = newToken('pr');
    this.db.prepare('INSERT INTO relays (id, unit, name, credential_hash, enrolled_at) VALUES (?, ?, ?, ?, ?)').run(relayId, unit, name, sha256(credential), now.toISOString());
    return { relayId, credential };
  }

  byCredential(credential: string): RelayRow | undefined {
    return this.byHash.get(sha256(credential)) as RelayRow | undefined;
  }

  list(): (RelayRow & { enrolled_at: string })[] {
    return this.db.prepare('SELECT id, unit, name, enrolled_at, revoked_at FROM relays ORDER BY unit, enrolled_at').all() as (RelayRow & { enrolled_at: string })[];
  }

  revoke(id: string, now = new Date()): boolean {
    return this.db.prepare('UPDATE relays SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now.toISOString(), id).changes === 1;
  }

  /**
   * May `relay` post reports of `agentId`? ok with the agent to create when it is new (null: it
   * exists and may); otherwise why not: another unit's agent, one enrolled directly, or revoked.
   */
  bindAgent(relay: RelayRow, agentId: string, hostname: string, machineId: string): BindOutcome {
    const a = this.agentById.get(agentId) as { unit: string; revoked_at: string | null; via_relay: string | null } | undefined;
    if (!a) return { ok: true, create: { id: agentId, unit: relay.unit, hostname, machineId, relayId: relay.id } };
    if (a.unit !== relay.unit) return { ok: false, code: 'AGENT_OTHER_UNIT', agentUnit: a.unit };
    if (a.via_relay === null) return { ok: false, code: 'AGENT_NOT_RELAYED' };
    if (a.revoked_at) return { ok: false, code: 'AGENT_REVOKED', revokedAt: a.revoked_at };
    return { ok: true, create: null };
  }

  /** Create the agents a batch brings in, in one transaction. */
  addAgents(agents: readonly NewRelayedAgent[], now = new Date()): void {
    if (!agents.length) return;
    const ins = this.db.prepare('INSERT OR IGNORE INTO agents (id, unit, credential_hash, hostname, machine_id, enrolled_at, via_relay) VALUES (?, ?, ?, ?, ?, ?, ?)');
    // "relayed:<id>" is not a sha256 hex digest, so no presented credential can ever match it.
    this.db.transaction(() => agents.forEach((a) => ins.run(a.id, a.unit, `relayed:${a.id}`, a.hostname, a.machineId, now.toISOString(), a.relayId))).immediate();
  }
}
