/**
 * Administrative actions shared by the API routes and the CLI, each with its audit record, so
 * both paths do exactly the same thing. They need the stores only (never the rule engine).
 * Errors are ApiFailures (the CLI prints their message).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { reasonText, type FailReason } from '../rules/reasons.js';
import type { Stores } from '../store/index.js';
import { loadHostInputs } from '../store/host-facts.js';
import { ApiFailure } from '../errors.js';
import { hostMembers, systemMembers, type HostMember, type SystemMember } from '../rules/members.js';
import type { ProtectionVerdict } from '../policy/protection.js';
import type { DB } from '../store/db.js';
import type { HostRow } from '../store/hosts.js';
import { validateSystem, RegistryError, type SystemRecord } from '../store/systems.js';

/** One host, found by agent id or (when unique) hostname. */
export function findHost(c: Stores, key: string): HostRow {
  const found = c.hosts.find(key);
  if (!found.length) throw new ApiFailure('NOT_FOUND', `no host with agent id or hostname "${key}"`);
  if (found.length > 1) throw new ApiFailure('CONFLICT', `hostname "${key}" matches ${found.length} hosts (${found.map((h) => `${h.agent_id} in ${h.unit}`).join(', ')}); use the agent id`);
  return found[0]!;
}

/**
 * Take a host out of every denominator, for good: its agent's credential is revoked too, so a
 * machine that comes back must enroll again (and then counts as a new host).
 */
export function decommissionHost(c: Stores, key: string, reason: string, actor: string): HostRow {
  if (!reason.trim()) throw new ApiFailure('REQUEST_INVALID', 'a reason is required for the audit record (e.g. "server retired, ticket 1234")');
  const host = findHost(c, key);
  if (host.decommissioned_at) throw new ApiFailure('CONFLICT', `host ${host.agent_id} (${host.hostname}) was already decommissioned at ${host.decommissioned_at}`);
  c.atomically(() => {
    c.hosts.decommission(host.agent_id, reason);
    c.agents.revoke(host.agent_id);
    c.audit.record(actor, 'host.decommission', host.agent_id, { hostname: host.hostname, unit: host.unit, reason, lastSeen: host.received_at });
  });
  return c.hosts.get(host.agent_id)!;
}

export function revokeAgent(c: Stores, id: string, actor: string, reason = ''): void {
  const agent = c.agents.get(id);
  if (!agent) throw new ApiFailure('NOT_FOUND', `no agent "${id}"; list them with "posture agents list"`);
  if (agent.revoked_at) throw new ApiFailure('CONFLICT', `agent ${id} was already revoked at ${agent.revoked_at}`);
  c.atomically(() => {
    c.agents.revoke(id);
    c.audit.record(actor, 'agent.revoke', id, { hostname: agent.hostname, unit: agent.unit, reason });
  });
}

/** Validate and store a registry record made through the API/CLI. */
export function putSystem(c: Stores, raw: unknown, actor: string, idFromPath?: string): { record: SystemRecord; created: boolean } {
  let record: SystemRecord;
  try {
    record = validateSystem(idFromPath && raw && typeof raw === 'object' && !('id' in raw) ? { ...raw, id: idFromPath } : raw, `system${idFromPath ? ` "${idFromPath}"` : ''}`);
  } catch (e) {
    if (e instanceof RegistryError) throw new ApiFailure('REQUEST_INVALID', e.message);
    throw e;
  }
  if (idFromPath && record.id !== idFromPath) throw new ApiFailure('REQUEST_INVALID', `body id "${record.id}" differs from the path's "${idFromPath}"`);
  if (!c.config.units.some((u) => u.id === record.ownerUnit)) throw new ApiFailure('REQUEST_INVALID', `ownerUnit "${record.ownerUnit}" is not a configured unit`);
  const source = c.systems.sourceOf(record.id);
  if (source === 'file') throw new ApiFailure('CONFLICT', `system "${record.id}" is managed by the registry file ${c.config.registryFile ?? ''}; edit the file (it is under version control)`);
  c.atomically(() => {
    c.systems.put(record, 'api');
    c.audit.record(actor, source ? 'system.update' : 'system.create', record.id, { record });
  });
  return { record, created: !source };
}

export function deleteSystem(c: Stores, id: string, actor: string): void {
  const source = c.systems.sourceOf(id);
  if (!source) throw new ApiFailure('NOT_FOUND', `no system "${id}" in the registry`);
  if (source === 'file') throw new ApiFailure('CONFLICT', `system "${id}" is managed by the registry file ${c.config.registryFile ?? ''}; remove it there`);
  c.atomically(() => {
    c.systems.remove(id);
    c.audit.record(actor, 'system.delete', id);
  });
}

/**
 * A host as the APIs list it: its member facts without the CEL view (which holds BigInts), the
 * protection verdict in full; `reasons` stay strings (the shipped field, rendered in English as
 * before), the codes beside them.
 */
export type ListedHost = Omit<HostMember, 'cel' | 'protection' | 'reasons'> & { protection: ProtectionVerdict; reasons: string[]; reasonCodes: FailReason[]; decommissionedAt: string | null };

/**
 * Hosts listed at a time: reading, building and serializing 100 holds the event loop ~10 ms
 * (250 took 25-50 ms on 2 busy cores at 100,000 hosts; bench/request-blocks.mjs).
 */
const LISTED_CHUNK = 100;

/** `rows` as listed, their inputs read from `db` (the snapshot the rows were read from, for a page). */
function listedOf(c: Stores, db: DB, rows: readonly HostRow[], now: Date): ListedHost[] {
  // hostMembers skips decommissioned rows; list them with their flags all the same.
  const inputs = loadHostInputs(
    db,
    rows.map((r) => r.agent_id),
  ).map((h) => ({ ...h, decommissionedAt: null }));
  const members = new Map(hostMembers(inputs, now, c.config.staleAfterMinutes, c.config.protection).map((m) => [m.id, m]));
  const out: ListedHost[] = [];
  for (const r of rows) {
    const member = members.get(r.agent_id);
    if (!member) continue;
    const { cel: _cel, protection, reasons, ...listed } = member;
    out.push({ ...listed, protection: protection.verdict, reasons: reasons.map((x) => reasonText(x, 'en') + (x.evidence ? ` (${x.evidence})` : '')), reasonCodes: reasons, decommissionedAt: r.decommissioned_at });
  }
  return out;
}

/**
 * Hosts with their stale flag and protected verdict, exactly as the indicators see them, a
 * chunk at a time: a page of 10,000 hosts never has all its members and inputs alive at once.
 */
export function* listedChunks(c: Stores, rows: readonly HostRow[], now: Date, size = LISTED_CHUNK): Generator<ListedHost[], void, undefined> {
  for (let start = 0; start < rows.length; start += size) yield listedOf(c, c.db, rows.slice(start, start + size), now);
}

function asListed(c: Stores, rows: HostRow[], now: Date): ListedHost[] {
  return [...listedChunks(c, rows, now)].flat();
}

/** One host as the indicators see it now (the collector's verdict, and the agent's where it differs). */
export function listedHost(c: Stores, row: HostRow, now = new Date()): ListedHost | null {
  return asListed(c, [row], now)[0] ?? null;
}

export function hostList(c: Stores, now = new Date(), includeDecommissioned = false): ListedHost[] {
  return asListed(c, c.hosts.all({ includeDecommissioned }), now);
}

export interface HostQuery {
  unit?: string | undefined;
  stale?: boolean | undefined;
  includeDecommissioned?: boolean;
  limit: number;
  offset: number;
}

/** A page of listed hosts, read as it is iterated; close() once done with it (or given up). */
export interface HostPage {
  total: number;
  chunks: Iterable<ListedHost[]>;
  close: () => void;
}

/**
 * One page of hosts, filtered and paged in SQL, as of one instant (the store's snapshot taken
 * now): its rows and their listing (members, verdicts) read and built a chunk at a time as
 * `chunks` is iterated, so the caller may yield to the event loop between chunks (the hosts
 * API does) while reports keep arriving. Hosts changed meanwhile are listed as they were when
 * the page was asked for, in the order of then: none twice, none missed.
 */
export async function hostPage(c: Stores, q: HostQuery, now = new Date(), size = LISTED_CHUNK, span?: number): Promise<HostPage> {
  const cutoff = new Date(now.getTime() - c.config.staleAfterMinutes * 60_000);
  const reader = c.hosts.pageReader(
    {
      unit: q.unit,
      ...(q.stale === true ? { staleBefore: cutoff } : q.stale === false ? { freshSince: cutoff } : {}),
      includeDecommissioned: q.includeDecommissioned ?? false,
      limit: q.limit,
      offset: q.offset,
    },
    span,
  );
  try {
    // A filter without an index (stale) is counted a span of hosts at a time, a turn each.
    const counting = reader.count();
    while (!counting.next().done) await nextTurn();
  } catch (e) {
    reader.close();
    throw e;
  }
  function* chunks(): Generator<ListedHost[], void, undefined> {
    try {
      // A chunk may be empty (a span of hosts without one that matches): yielded all the same, for the turn after it.
      while (!reader.done) yield listedOf(c, reader.db, reader.next(size), now);
    } finally {
      reader.close();
    }
  }
  return { total: reader.total, chunks: { [Symbol.iterator]: chunks }, close: () => reader.close() };
}

/** Systems that agents declare but the registry lacks: unclassified, in the 70% denominator. */
export function unclassifiedSystems(c: Stores, now = new Date()): SystemMember[] {
  return systemMembers(c.systems.all(), hostMembers(loadHostInputs(c.db), now, c.config.staleAfterMinutes, c.config.protection)).filter((s) => !s.registered);
}

/**
 * The systems of unclassifiedSystems (the same ids, units, host counts and order), read a
 * chunk of hosts at a time with a turn of the event loop between chunks, from one snapshot of
 * the store: the systems API (loading every host's inputs for it held the event loop 1.4 s at
 * 100,000 hosts). Only the hosts' units and declared systems are read; a system's unit is that
 * of the first host (in the table's order) that declares it, as in systemMembers.
 */
export async function unclassifiedSystemsSliced(c: Stores, size?: number): Promise<{ id: string; unit: string; hosts: number }[]> {
  const known = new Set(c.systems.all().map((s) => s.id));
  const by = new Map<string, { id: string; unit: string; hosts: number }>();
  const read = c.hosts.declaredSystems(size);
  try {
    for (const chunk of read.chunks) {
      for (const h of chunk) {
        for (const id of h.systems) {
          const e = by.get(id);
          if (e) e.hosts++;
          else by.set(id, { id, unit: h.unit, hosts: 1 });
        }
      }
      await nextTurn();
    }
  } finally {
    read.close();
  }
  return [...by.values()].filter((e) => !known.has(e.id));
}
