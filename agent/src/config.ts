/**
 * Agent config: one YAML file, validated strictly once at start (unknown keys and wrong types
 * are errors naming the file and the key), defaults filled from the schema, then frozen.
 */
import { readFile } from 'node:fs/promises';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Ident, HostRole } from '@posture/protocol';
import { parseDocument } from 'yaml';

const Obj = <T extends Parameters<typeof Type.Object>[0]>(p: T) => Type.Object(p, { additionalProperties: false });

export const AgentConfigSchema = Obj({
  collector: Type.Optional(
    Obj({
      /** Base URL of the collector, e.g. https://posture.example.gov.vn:8443 */
      url: Type.String({ pattern: '^https?://', maxLength: 512 }),
      /** PEM file of the CA that signed the collector's certificate (pinned: no system CAs). */
      caFile: Type.Optional(Type.String({ maxLength: 1024 })),
      timeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
    }),
  ),
  /** Unit id this host belongs to (must match the enrollment secret's unit). */
  unit: Ident,
  /** Registry ids of the information systems this host serves. */
  systems: Type.Array(Ident, { maxItems: 64, uniqueItems: true, default: [] }),
  /** server | workstation; inferred from the OS when absent. */
  role: Type.Optional(HostRole),
  /** Where the credential and spool live. */
  stateDir: Type.String({ minLength: 1, maxLength: 1024, default: '/var/lib/posture-agent' }),
  protection: Obj({
    /** Signatures older than this make a product not protecting. */
    maxSignatureAgeHours: Type.Number({ minimum: 1, maximum: 24 * 365, default: 168 }),
    /**
     * When the OS tells only the vendor's "up to date" flag and no date (Windows Security Center
     * on workstations), accept that flag in place of the age limit. false: such products never
     * count as protecting.
     */
    trustVendorUpToDate: Type.Boolean({ default: true }),
    /** Timeout of each command the probe runs (mdatp, falconctl, PowerShell...). */
    commandTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
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

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid agent config:\n  - ${problems.join('\n  - ')}`);
  }
}

const deepFreeze = <T>(o: T): T => {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
};

/** Validate an already-parsed config object; `file` only labels the errors. */
export function validateConfig(raw: unknown, file: string): AgentConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, ['the file must contain a YAML mapping (key: value lines)']);
  }
  // Fill sections that are entirely optional so their defaults apply.
  const withSections = { protection: {}, ipv6: {}, probes: {}, ...(raw as Record<string, unknown>) };
  const filled = Value.Default(AgentConfigSchema, Value.Clone(withSections));
  const problems = [...Value.Errors(AgentConfigSchema, filled)].map((e) => {
    const key = e.path.replace(/^\//, '').replaceAll('/', '.') || '(top level)';
    if (e.schema && (e.schema as { additionalProperties?: boolean }).additionalProperties === false && e.message.includes('Unexpected property')) {
      return `unknown key "${key}": remove it or check its spelling`;
    }
    return `key "${key}": ${e.message}`;
  });
  if (problems.length) throw new ConfigError(file, [...new Set(problems)]);
  return deepFreeze(filled as AgentConfig);
}

/** Read, parse and validate the agent config file. */
export async function loadConfig(file: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [`cannot read the file: ${(e as Error).message}`]);
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(file, doc.errors.map((e) => `YAML syntax at line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`));
  }
  return validateConfig(doc.toJS(), file);
}
