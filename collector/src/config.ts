/**
 * Collector config: one YAML file, validated strictly once at start (unknown keys and wrong
 * types name the file and the key), defaults from the schema, then frozen.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Ident } from '@posture/protocol';
import { parseDocument } from 'yaml';

const Obj = <T extends Parameters<typeof Type.Object>[0]>(p: T) => Type.Object(p, { additionalProperties: false });

export const UnitConfig = Obj({
  id: Ident,
  /** Display name, e.g. "Cục Hàng hải Việt Nam". */
  name: Type.String({ minLength: 1, maxLength: 256 }),
  /** Enrollment secret of the unit (at least 16 characters); only its hash is stored. */
  enrollmentSecret: Type.Optional(Type.String({ minLength: 16, maxLength: 256 })),
});

export const CollectorConfigSchema = Obj({
  listen: Obj({
    /** "::" listens dual-stack (IPv4 and IPv6). */
    host: Type.String({ default: '::' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    /** HTTPS: PEM certificate and key (relative to the config file); clientCaFile requires client certificates it signed. */
    tls: Type.Optional(
      Obj({
        certFile: Type.String({ minLength: 1 }),
        keyFile: Type.String({ minLength: 1 }),
        clientCaFile: Type.Optional(Type.String({ minLength: 1 })),
      }),
    ),
  }),
  /** Directory of the SQLite state store. Relative paths are relative to the config file. */
  dataDir: Type.String({ minLength: 1, default: '/var/lib/posture' }),
  units: Type.Array(UnitConfig, { minItems: 1, maxItems: 1000 }),
  /** YAML file of the registry of information systems (relative to the config file). */
  registryFile: Type.Optional(Type.String({ minLength: 1 })),
  influx: Type.Optional(
    Obj({
      url: Type.String({ pattern: '^https?://' }),
      database: Type.String({ minLength: 1, maxLength: 64, default: 'posture' }),
      username: Type.Optional(Type.String()),
      password: Type.Optional(Type.String()),
      /** Points per write request. */
      batchSize: Type.Integer({ minimum: 1, maximum: 50_000, default: 5000 }),
      /** How often the outbox is drained. */
      flushIntervalMs: Type.Integer({ minimum: 50, maximum: 60_000, default: 1000 }),
    }),
  ),
  /** A host silent longer than this counts as not protected (stale). */
  staleAfterMinutes: Type.Integer({ minimum: 1, default: 60 }),
  /** How often indicators are evaluated and written as time series. */
  evaluationIntervalSeconds: Type.Integer({ minimum: 1, default: 300 }),
  limits: Obj({
    /** Largest accepted request body, after decompression. */
    bodyBytes: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 1024 * 1024 }),
    /** Reports whose collectedAt is further than this from the collector's clock are refused. */
    clockSkewMinutes: Type.Integer({ minimum: 1, default: 24 * 60 }),
  }),
});
export type CollectorConfig = Readonly<Static<typeof CollectorConfigSchema>>;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid collector config:\n  - ${problems.join('\n  - ')}`);
  }
}

const deepFreeze = <T>(o: T): T => {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
};

/** Validate a parsed config; relative paths are resolved against `baseDir`. */
export function validateConfig(raw: unknown, file: string, baseDir = process.cwd()): CollectorConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(file, ['the file must contain a YAML mapping']);
  const withSections = { listen: {}, limits: {}, ...(raw as Record<string, unknown>) };
  const filled = Value.Default(CollectorConfigSchema, Value.Clone(withSections)) as Static<typeof CollectorConfigSchema>;
  const problems = [...Value.Errors(CollectorConfigSchema, filled)].map((e) => {
    const key = e.path.replace(/^\//, '').replaceAll('/', '.') || '(top level)';
    return e.message.includes('Unexpected property') ? `unknown key "${key}": remove it or check its spelling` : `key "${key}": ${e.message}`;
  });
  const ids = new Set<string>();
  for (const u of filled.units ?? []) {
    if (ids.has(u.id)) problems.push(`units: unit id "${u.id}" appears twice`);
    ids.add(u.id);
  }
  if (problems.length) throw new ConfigError(file, [...new Set(problems)]);
  filled.dataDir = resolve(baseDir, filled.dataDir);
  if (filled.registryFile) filled.registryFile = resolve(baseDir, filled.registryFile);
  const tls = filled.listen.tls;
  if (tls) filled.listen.tls = { ...tls, certFile: resolve(baseDir, tls.certFile), keyFile: resolve(baseDir, tls.keyFile), ...(tls.clientCaFile ? { clientCaFile: resolve(baseDir, tls.clientCaFile) } : {}) };
  return deepFreeze(filled);
}

export function loadConfig(file: string): CollectorConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [`cannot read the file: ${(e as Error).message}`]);
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) throw new ConfigError(file, doc.errors.map((e) => `YAML syntax at line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`));
  return validateConfig(doc.toJS(), file, dirname(resolve(file)));
}
