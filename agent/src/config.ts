/**
 * Agent config: one YAML file plus a drop-in directory (`agent.d/*.yaml` beside it, merged in
 * name order, later files win, mappings merge, lists replace), validated strictly once at start:
 * unknown keys and wrong types are errors naming the file, the line and the key; defaults come
 * from the schema; the result is frozen.
 */
import { access, constants } from 'node:fs/promises';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CronError, parseCron } from './cron.js';
import { Ident, HostRole } from '@posture/protocol';
import { ConfigError, readLayers, type Layer } from './config-files.js';

export { ConfigError };

const Obj = <T extends Parameters<typeof Type.Object>[0]>(p: T) => Type.Object(p, { additionalProperties: false });

export const AgentConfigSchema = Obj({
  collector: Type.Optional(
    Obj({
      /** Base URL of the collector, e.g. https://posture.example.gov.vn:8443 */
      url: Type.String({ pattern: '^https?://', maxLength: 512 }),
      /** PEM file of the CA that signed the collector's certificate (pinned: no system CAs). */
      caFile: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
      /** PEM client certificate, when the collector asks for one (mutual TLS). */
      certFile: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
      /** PEM private key of certFile. */
      keyFile: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
      /** HTTP(S) proxy URL, e.g. http://proxy.unit.local:3128 (CONNECT tunnel for https). */
      proxy: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 512 })),
      /** TCP + TLS connect timeout. */
      connectTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
      /** Timeout for the collector's answer (headers and body). */
      timeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
    }),
  ),
  /** Unit id this host belongs to (must match the enrollment secret's unit). */
  unit: Ident,
  /** Registry ids of the information systems this host serves. */
  systems: Type.Array(Ident, { maxItems: 64, uniqueItems: true, default: [] }),
  /** server | workstation; inferred from the OS when absent. */
  role: Type.Optional(HostRole),
  /** Where the credential, the spool and the status live. */
  stateDir: Type.String({ minLength: 1, maxLength: 1024, default: '/var/lib/posture-agent' }),
  schedule: Obj({
    /** Cron expression (5 fields, or 6 with seconds) of collection cycles. */
    cron: Type.String({ minLength: 9, maxLength: 128, default: '*/5 * * * *' }),
    /** Each cycle starts after a random delay up to this, so that agents do not report together. */
    splaySeconds: Type.Integer({ minimum: 0, maximum: 3600, default: 120 }),
  }),
  spool: Obj({
    /** Most reports kept waiting; beyond, the oldest are dropped (and counted). */
    maxReports: Type.Integer({ minimum: 1, maximum: 100_000, default: 2016 }),
    /** Most bytes kept waiting; beyond, the oldest are dropped (and counted). */
    maxBytes: Type.Integer({ minimum: 64 * 1024, maximum: 4 * 1024 * 1024 * 1024, default: 256 * 1024 * 1024 }),
    /** First retry delay after a failed send; doubles per failure, with full jitter. */
    backoffMinMs: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 5_000 }),
    /** Longest retry delay (also caps a collector's Retry-After). */
    backoffMaxMs: Type.Integer({ minimum: 10, maximum: 86_400_000, default: 600_000 }),
    /** Reports the collector refused are kept aside for inspection, up to this many. */
    keepRejected: Type.Integer({ minimum: 0, maximum: 10_000, default: 100 }),
  }),
  protection: Obj({
    /** Signatures older than this make a product not protecting. */
    maxSignatureAgeHours: Type.Number({ minimum: 1, maximum: 24 * 365, default: 168 }),
    /**
     * When the OS tells only the vendor's "up to date" flag and no date (Windows Security Center
     * on workstations), accept that flag in place of the age limit. false: such products never
     * count as protecting.
     */
    trustVendorUpToDate: Type.Boolean({ default: true }),
    /** Timeout of each command the probe runs (mdatp, falconctl, PowerShell...) and of each daemon request (clamd). */
    commandTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
    /**
     * Paths that on-access scanning must cover for real-time protection to count (ClamAV's
     * clamonacc watches only the paths it is given). Default: the root file system.
     */
    onAccessMustCover: Type.Array(Type.String({ pattern: '^/', minLength: 1, maxLength: 1024 }), { minItems: 1, maxItems: 16, default: ['/'] }),
    /**
     * Products this site knows by process name only (e.g. a BKAV, CMC or Viettel Linux agent):
     * reported as found, never as protecting (real-time and signature age stay unknown).
     */
    extraProducts: Type.Array(
      Obj({
        id: Ident,
        name: Type.String({ minLength: 1, maxLength: 128 }),
        vendor: Type.String({ minLength: 1, maxLength: 128 }),
        /** comm names as /proc/<pid>/comm shows them (at most 15 characters). */
        processes: Type.Array(Type.String({ minLength: 1, maxLength: 15 }), { minItems: 1, maxItems: 16 }),
        /** Install paths whose presence means installed even when no process runs. */
        paths: Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { maxItems: 16, default: [] }),
      }),
      { maxItems: 16, default: [] },
    ),
  }),
  ipv6: Obj({
    /** DNS names this host serves (portals): their A/AAAA records are checked. */
    services: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 32, default: [] }),
    /** host:port (IPv6 literal in brackets) to test outbound IPv6 with a TCP connect. */
    outboundTarget: Type.Optional(Type.String({ maxLength: 300 })),
    /** Send one DNS query to each IPv6 resolver of the host to see whether it answers over IPv6. */
    queryResolvers: Type.Boolean({ default: true }),
  }),
  baseline: Type.Optional(
    Obj({
      /** YAML file overriding entries of the built-in check-to-level mapping (levels, clauses, thresholds). */
      mappingFile: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    }),
  ),
  probes: Obj({
    /** Per-probe timeout. */
    timeoutMs: Type.Integer({ minimum: 100, maximum: 300_000, default: 20_000 }),
    /** Probes to skip, by name. */
    disabled: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 16, default: [] }),
  }),
});
export type AgentConfig = Readonly<Static<typeof AgentConfigSchema>>;

/** Sections that may be left out entirely: their keys all have defaults. */
const SECTIONS = ['schedule', 'spool', 'protection', 'ipv6', 'probes'] as const;

const deepFreeze = <T>(o: T): T => {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
};

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Merge b over a: mappings merge key by key, everything else (lists too) replaces. */
function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isMap(out[k]) && isMap(v) ? merge(out[k], v) : v;
  return out;
}

/** Keys the schema does not know, as dotted paths (TypeBox reports only the first per object). */
function unknownKeys(schema: unknown, value: unknown, path: string[] = []): string[][] {
  const s = schema as { type?: string; properties?: Record<string, unknown>; anyOf?: unknown[] };
  if (!isMap(value) || s.type !== 'object' || !s.properties) return [];
  return Object.entries(value).flatMap(([k, v]) => (k in s.properties! ? unknownKeys(s.properties![k], v, [...path, k]) : [[...path, k]]));
}

/**
 * Validate already-parsed config layers (the main file first, then drop-ins). Each problem
 * names the file (and line) that set the offending key, so it can be found and fixed.
 */
export function validateLayers(layers: readonly Layer[]): AgentConfig {
  const main = layers[0]!;
  let merged: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const l of layers) {
    if (l.value === null || l.value === undefined) continue; // an empty drop-in is allowed
    if (!isMap(l.value)) problems.push(`${l.file}: the file must contain a YAML mapping (key: value lines)`);
    else merged = merge(merged, l.value);
  }
  if (problems.length) throw new ConfigError(main.file, problems);
  const where = (path: string[]) => {
    for (let i = layers.length - 1; i >= 0; i--) {
      const at = layers[i]!.locate(path);
      if (at) return at;
    }
    return layers.length > 1 ? `${main.file} (or a drop-in)` : main.file;
  };
  for (const path of unknownKeys(AgentConfigSchema, merged)) {
    problems.push(`${where(path)}: unknown key "${path.join('.')}": remove it or check its spelling`);
  }
  const withSections = Object.fromEntries(SECTIONS.map((s) => [s, {}]));
  const filled = Value.Default(AgentConfigSchema, Value.Clone({ ...withSections, ...merged })) as Static<typeof AgentConfigSchema>;
  for (const e of Value.Errors(AgentConfigSchema, filled)) {
    if (e.message.includes('Unexpected property')) continue; // listed above, one line per key
    const path = e.path.split('/').filter(Boolean);
    const key = path.join('.') || '(top level)';
    const missing = e.value === undefined;
    problems.push(`${where(missing ? path.slice(0, -1) : path)}: ${missing ? `missing required key "${key}"` : `key "${key}": ${e.message}`}`);
  }
  if (!problems.length) {
    try {
      parseCron(filled.schedule.cron);
    } catch (e) {
      if (!(e instanceof CronError)) throw e;
      problems.push(`${where(['schedule', 'cron'])}: key "schedule.cron": "${filled.schedule.cron}" is not a cron expression (e.g. "*/5 * * * *"): ${e.message}`);
    }
  }
  if (!problems.length && filled.spool.backoffMinMs > filled.spool.backoffMaxMs) {
    problems.push(`${where(['spool', 'backoffMinMs'])}: key "spool.backoffMinMs" (${filled.spool.backoffMinMs}) must not exceed spool.backoffMaxMs (${filled.spool.backoffMaxMs})`);
  }
  const c = filled.collector;
  if (!problems.length && c && Boolean(c.certFile) !== Boolean(c.keyFile)) {
    problems.push(`${where(['collector'])}: keys "collector.certFile" and "collector.keyFile" go together: set both or neither`);
  }
  if (problems.length) throw new ConfigError(main.file, [...new Set(problems)]);
  return deepFreeze(filled as AgentConfig);
}

/** Validate one already-parsed config object; `file` only labels the errors. */
export function validateConfig(raw: unknown, file: string): AgentConfig {
  return validateLayers([{ file, value: raw, locate: () => null }]);
}

/** Read, parse and validate the agent config file and its drop-in directory. */
export async function loadConfig(file: string): Promise<AgentConfig> {
  const config = validateLayers(await readLayers(file));
  // Files the agent will need later are checked now, so that `config check` catches them.
  const problems: string[] = [];
  for (const key of ['caFile', 'certFile', 'keyFile'] as const) {
    const path = config.collector?.[key];
    if (!path) continue;
    try {
      await access(path, constants.R_OK);
    } catch (e) {
      problems.push(`key "collector.${key}": cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  if (problems.length) throw new ConfigError(file, problems);
  return config;
}
