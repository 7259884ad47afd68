/**
 * Holds the rules in force. A reload (SIGHUP, POST /api/v1/rules/reload) parses every file
 * again; if any problem is found the new set is refused and the last good rules stay in force
 * (Prometheus' rules/manager.go). The first load has no fallback: it throws.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadRuleFiles, RuleFileError, type Rule, type RuleGroup, type RuleProblem } from './format.js';

/** The rules shipped with Posture (repository root rules/), used when the config names none. */
export const SHIPPED_RULES = resolve(import.meta.dirname, '../../../rules');

/** Files as given, directories replaced by their *.rules.yaml files (sorted). */
export function expandRuleFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      // Missing: keep it so the loader reports "cannot read the file" with its name.
    }
    if (isDir)
      out.push(
        ...readdirSync(p)
          .filter((f) => f.endsWith('.rules.yaml'))
          .sort()
          .map((f) => join(p, f)),
      );
    else out.push(p);
  }
  return out;
}

export type ReloadResult = { ok: true; groups: number; rules: number; files: string[] } | { ok: false; problems: RuleProblem[]; message: string };

export class RuleManager {
  private groupsInForce: RuleGroup[];
  /** When the rules in force were loaded. */
  loadedAt: Date;
  /** The problem of the last failed reload, cleared by a good one (for /metrics and the API). */
  lastError: string | null = null;
  readonly stats = { reloads: 0, reloadFailures: 0 };

  constructor(readonly paths: readonly string[] = [SHIPPED_RULES]) {
    this.groupsInForce = loadRuleFiles(expandRuleFiles(paths));
    this.loadedAt = new Date();
  }

  get groups(): readonly RuleGroup[] {
    return this.groupsInForce;
  }

  get rules(): Rule[] {
    return this.groupsInForce.flatMap((g) => g.rules);
  }

  reload(): ReloadResult {
    this.stats.reloads++;
    const files = expandRuleFiles(this.paths);
    try {
      this.groupsInForce = loadRuleFiles(files);
    } catch (e) {
      if (!(e instanceof RuleFileError)) throw e;
      this.stats.reloadFailures++;
      this.lastError = e.message;
      return { ok: false, problems: e.problems, message: `${e.message}\nthe previous rules (loaded ${this.loadedAt.toISOString()}) stay in force` };
    }
    this.loadedAt = new Date();
    this.lastError = null;
    return { ok: true, groups: this.groupsInForce.length, rules: this.rules.length, files };
  }
}
