/**
 * Sessions of the console (the security team's web pages). A person signs in with an API token
 * they already hold (admin or viewer); the browser then carries only a random session id in an
 * HttpOnly cookie. Only the id's sha256 is stored, with the sha256 of the token it was opened
 * with: a session lives only while that token does (revoked, expired or replaced in the config,
 * every session opened with it ends at the next request).
 */
import { randomBytes } from 'node:crypto';
import { sha256 } from '../auth/secrets.js';
import type { DB } from './db.js';
import type { Role } from './tokens.js';

/** A live session, as the console sees it on each request. */
export interface ConsoleSession {
  /** sha256 of the session id (the cookie value is never stored). */
  idHash: string;
  /** The API token's name: the actor of audit records. */
  tokenName: string;
  role: Role;
  /** The anti-CSRF token every form of this session carries. */
  csrf: string;
  createdAt: string;
  expiresAt: string;
}

type Row = { id_hash: string; token_name: string; role: Role; csrf: string; created_at: string; expires_at: string; token_revoked_at: string | null; token_expires_at: string | null };

export class ConsoleSessionStore {
  private readonly byId;

  constructor(private readonly db: DB) {
    // The table belongs to this module alone; it is made on first open so that the console
    // needs no schema version of its own.
    db.exec(`CREATE TABLE IF NOT EXISTS console_sessions (
      id_hash TEXT PRIMARY KEY,        -- sha256 hex of the cookie value
      token_hash TEXT NOT NULL,        -- sha256 hex of the API token it was opened with
      csrf TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL
    )`);
    this.byId = db.prepare(`SELECT s.id_hash, t.name AS token_name, t.role, s.csrf, s.created_at, s.expires_at, t.revoked_at AS token_revoked_at, t.expires_at AS token_expires_at
      FROM console_sessions s JOIN api_tokens t ON t.token_hash = s.token_hash WHERE s.id_hash = ?`);
  }

  /** Open a session for a token that was just checked; returns the cookie value (shown once). */
  open(tokenHash: string, ttlMs: number, now = new Date()): { id: string; session: ConsoleSession } {
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const expires = new Date(now.getTime() + ttlMs).toISOString();
    this.db.prepare('DELETE FROM console_sessions WHERE expires_at <= ?').run(now.toISOString());
    this.db.prepare('INSERT INTO console_sessions (id_hash, token_hash, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(sha256(id), tokenHash, csrf, now.toISOString(), expires);
    return { id, session: this.get(id, now)! };
  }

  /** The live session of a cookie value, or undefined (unknown, expired, or its token is no longer valid). */
  get(id: string, now = new Date()): ConsoleSession | undefined {
    const r = this.byId.get(sha256(id)) as Row | undefined;
    if (!r) return undefined;
    const t = now.getTime();
    if (Date.parse(r.expires_at) <= t || r.token_revoked_at || (r.token_expires_at && Date.parse(r.token_expires_at) <= t)) return undefined;
    return { idHash: r.id_hash, tokenName: r.token_name, role: r.role, csrf: r.csrf, createdAt: r.created_at, expiresAt: r.expires_at };
  }

  close(id: string): void {
    this.db.prepare('DELETE FROM console_sessions WHERE id_hash = ?').run(sha256(id));
  }
}
