/** Admin and viewer API tokens: from the config (as hashes) or made by `posture tokens create`. */
import { newToken, sha256 } from '../auth/secrets.js';
import type { DB } from './db.js';

export type Role = 'admin' | 'viewer';

export interface TokenRow {
  name: string;
  role: Role;
  source: 'config' | 'cli';
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export class TokenStore {
  private readonly byHash;

  constructor(private readonly db: DB) {
    this.byHash = db.prepare('SELECT name, role, source, created_at, expires_at, revoked_at FROM api_tokens WHERE token_hash = ?');
  }

  /** Config tokens replace the previous config tokens; CLI-made tokens are left alone. */
  syncConfig(tokens: readonly { name: string; role: Role; sha256: string }[], now = new Date()): void {
    const ins = this.db.prepare(
      `INSERT INTO api_tokens (name, role, token_hash, source, created_at) VALUES (?, ?, ?, 'config', ?)
       ON CONFLICT(name) DO UPDATE SET role = excluded.role, token_hash = excluded.token_hash, source = 'config', revoked_at = NULL
       WHERE api_tokens.source = 'config'`,
    );
    this.db
      .transaction(() => {
        const keep = new Set(tokens.map((t) => t.name));
        for (const r of this.db.prepare("SELECT name FROM api_tokens WHERE source = 'config'").all() as { name: string }[]) {
          if (!keep.has(r.name)) this.db.prepare('DELETE FROM api_tokens WHERE name = ?').run(r.name);
        }
        for (const t of tokens) ins.run(t.name, t.role, t.sha256, now.toISOString());
      })
      .immediate();
  }

  /** Make a token (shown once; only its hash is kept). */
  create(name: string, role: Role, expiresAt: Date | null, now = new Date()): { ok: true; token: string } | { ok: false; code: 'NAME_TAKEN' } {
    const token = newToken('pt');
    try {
      this.db.prepare("INSERT INTO api_tokens (name, role, token_hash, source, created_at, expires_at) VALUES (?, ?, ?, 'cli', ?, ?)").run(name, role, sha256(token), now.toISOString(), expiresAt?.toISOString() ?? null);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return { ok: false, code: 'NAME_TAKEN' };
      throw e;
    }
    return { ok: true, token };
  }

  /** The live token row for a presented token, or why it is not valid. */
  check(token: string, now = new Date()): { ok: true; row: TokenRow } | { ok: false; why: string } {
    const row = this.byHash.get(sha256(token)) as TokenRow | undefined;
    if (!row) return { ok: false, why: 'unknown API token' };
    if (row.revoked_at) return { ok: false, why: `API token "${row.name}" was revoked at ${row.revoked_at}` };
    if (row.expires_at && Date.parse(row.expires_at) <= now.getTime()) return { ok: false, why: `API token "${row.name}" expired at ${row.expires_at}` };
    return { ok: true, row };
  }

  list(): TokenRow[] {
    return this.db.prepare('SELECT name, role, source, created_at, expires_at, revoked_at FROM api_tokens ORDER BY name').all() as TokenRow[];
  }

  revoke(name: string, now = new Date()): boolean {
    return this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL').run(now.toISOString(), name).changes === 1;
  }
}
