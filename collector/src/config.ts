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
  /** Short name as the ministry writes it in its documents, e.g. "Cục ĐTNĐVN"; default: the name. */
  shortName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  /** Enrollment secret of the unit (at least 16 characters); only its hash is stored. */
  enrollmentSecret: Type.Optional(Type.String({ minLength: 16, maxLength: 256 })),
  /** When the enrollment secret stops working (ISO date or date-time); absent: no expiry. */
  enrollmentSecretExpires: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}(T.+)?$' })),
});

export const ApiTokenConfig = Obj({
  /** Who holds it, e.g. "grafana", "security-team"; shown in the audit log. */
  name: Ident,
  role: Type.Union([Type.Literal('admin'), Type.Literal('viewer')]),
  /** sha256 (hex) of the token, so the config file never holds the token itself; `posture tokens hash` prints it. */
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
});

const Duration = Type.String({ pattern: '^(INF|\\d+[hdw])$' });

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
      database: Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]*$', maxLength: 64, default: 'posture' }),
      username: Type.Optional(Type.String()),
      password: Type.Optional(Type.String()),
      /**
       * Create the database, retention policies and continuous queries at start (InfluxDB 1.x
       * OSS). false for InfluxDB 3 Core/Enterprise or an InfluxDB Enterprise cluster whose
       * operator provisions: then only the v1 /write and /query endpoints are used.
       */
      provision: Type.Boolean({ default: true }),
      /** Points per write request. */
      batchSize: Type.Integer({ minimum: 1, maximum: 50_000, default: 5000 }),
      /** How often the outbox is drained: points reach InfluxDB up to this long after their report is stored (a backlog is written in full batches back to back). */
      flushIntervalMs: Type.Integer({ minimum: 50, maximum: 60_000, default: 1000 }),
      /** Most points the outbox holds while InfluxDB is unreachable; beyond it reports get 503 (agents spool and resend). */
      outboxMaxPoints: Type.Integer({ minimum: 10, default: 5_000_000 }),
      /** Created (or altered) at start and made the default; absent: InfluxDB's autogen. */
      retentionPolicy: Type.Optional(Obj({ name: Ident, duration: Duration, shardDuration: Type.Optional(Duration) })),
      /** Downsampling: continuous queries into a second retention policy, created at start. */
      downsample: Type.Optional(Obj({ retentionPolicy: Ident, duration: Duration, every: Type.String({ pattern: '^\\d+[mhd]$', default: '1h' }) })),
    }),
  ),
  /**
   * Federation: this is a unit's collector; every report it stores for `unit` is also forwarded
   * to the ministry's collector at `url` (durable forward outbox, batches, backoff).
   */
  upstream: Type.Optional(
    Obj({
      url: Type.String({ pattern: '^https?://' }),
      /** The unit this collector speaks for at the ministry; default: the only unit in units. */
      unit: Type.Optional(Ident),
      /** PEM CA that signed the ministry collector's certificate (relative to the config file). */
      caFile: Type.Optional(Type.String({ minLength: 1 })),
      /** Where `posture upstream enroll` keeps the relay credential (mode 0600); default <dataDir>/upstream.credential. */
      credentialFile: Type.Optional(Type.String({ minLength: 1 })),
      /** Reports per request, and the most bytes of report JSON per request. */
      batchSize: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
      batchBytes: Type.Integer({ minimum: 64 * 1024, maximum: 64 * 1024 * 1024, default: 8 * 1024 * 1024 }),
      /** How often the forward outbox is checked when it is empty. */
      intervalMs: Type.Integer({ minimum: 50, maximum: 60_000, default: 1000 }),
      /** Backoff after a failure: doubles from min to max, with full jitter. */
      backoffMinMs: Type.Integer({ minimum: 10, maximum: 60_000, default: 500 }),
      backoffMaxMs: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 60_000 }),
      timeoutMs: Type.Integer({ minimum: 100, maximum: 300_000, default: 30_000 }),
    }),
  ),
  /** The ministry side of federation: how large a relay's batch may be, after decompression. */
  relay: Obj({
    bodyBytes: Type.Integer({ minimum: 1024, maximum: 256 * 1024 * 1024, default: 32 * 1024 * 1024 }),
  }),
  /**
   * The ministry's protection policy (policy/protection.ts): the collector judges every host
   * from its product facts with these, at evaluation time; the agents' own limits are only
   * their local diagnostic. Here, not in the rule files: one verdict per host, the same for
   * every rule file, the host API and the report (whose footnote states it).
   */
  protection: Obj({
    /** Signatures older than this at evaluation time do not protect (168 h = 7 days). */
    maxSignatureAgeHours: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 365, default: 168 }),
    /** Accept a vendor "up to date" flag without a date (Windows Security Center), while the report is younger than the limit. */
    acceptVendorUpToDateFlag: Type.Boolean({ default: true }),
    /** EDR products without a local signature database: exempt from the age limit. Only these. */
    signaturelessProducts: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { default: ['falcon', 'sentinelone'], maxItems: 100 }),
    /** Products that never count as protection, whatever the agent says (log and integrity agents). */
    neverProtects: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { default: ['wazuh', 'ossec'], maxItems: 100 }),
  }),
  /**
   * The portal prober (src/portals/): IPv6 readiness of systems tagged `portal`, measured from
   * outside. Absent: the collector does not probe on its own (`posture portals probe` still does).
   */
  portals: Type.Optional(
    Obj({
      /** How often every portal is probed. */
      intervalMinutes: Type.Integer({ minimum: 1, maximum: 7 * 24 * 60, default: 60 }),
      /** Recursive resolvers ("2001:db8::53", "192.0.2.53:5353", "[2001:db8::53]:5353"); absent: the system's. */
      resolvers: Type.Array(Type.String({ minLength: 2, maxLength: 64 }), { default: [], maxItems: 8 }),
      /** PEM bundle the portals' certificates must chain to (relative to the config file); absent: Node's Mozilla roots. */
      caFile: Type.Optional(Type.String({ minLength: 1 })),
      /** Portals probed at once. */
      concurrency: Type.Integer({ minimum: 1, maximum: 64, default: 8 }),
      /** Bound of one network operation (DNS query, connect, page fetch). */
      checkTimeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 5000 }),
      /** Bound of one whole portal. */
      portalTimeoutMs: Type.Integer({ minimum: 500, maximum: 600_000, default: 30_000 }),
      /** Least similarity of the page over IPv6 to the page over IPv4 (Internet.nl: within 10%). */
      minSimilarity: Type.Number({ minimum: 0, maximum: 1, default: 0.9 }),
      /** An IPv6 address the prober must have a route to (nothing is sent); default a public resolver's (2001:4860:4860::8888). */
      routeProbe6: Type.Optional(Type.String({ pattern: '^[0-9A-Fa-f:.]{2,45}$' })),
      /** Results kept per portal (older ones are pruned). */
      historyDays: Type.Integer({ minimum: 1, maximum: 3650, default: 400 }),
    }),
  ),
  /** A host silent longer than this counts as not protected (stale). */
  staleAfterMinutes: Type.Integer({ minimum: 1, default: 60 }),
  /** How often indicators are evaluated and written as time series. */
  evaluationIntervalSeconds: Type.Integer({ minimum: 1, default: 300 }),
  /** The appendix as it is filed: the letter it is attached to, and the directive measured against. */
  report: Type.Optional(
    Obj({
      /** The header line: "Kèm theo Văn bản số {documentNumber} ngày {documentDate}". */
      filing: Type.Optional(
        Obj({
          /** e.g. "…/BGTVT-TTCNTT" (the number is written in by hand when the letter is signed). */
          documentNumber: Type.String({ minLength: 1, maxLength: 64, default: '…/BGTVT-TTCNTT' }),
          /** e.g. "…/…/2026"; default: left for the signer, "… tháng … năm <year of the report>". */
          documentDate: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          /** The issuing body, top left of the page, e.g. "BỘ GIAO THÔNG VẬN TẢI". */
          issuer: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
        }),
      ),
      /** Directive id (a rule file's directive.id) measured against by default; default: the latest issued on or before the report date. */
      directive: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    }),
  ),
  /** Rule files (or directories of *.rules.yaml), relative to the config file. Default: the shipped rules/. */
  rules: Type.Optional(
    Obj({
      files: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 200 }),
      /** How long a resolved alert is still re-sent to Alertmanager. */
      resolvedResendMinutes: Type.Integer({ minimum: 0, maximum: 24 * 60, default: 15 }),
    }),
  ),
  /** Where alerts go. Each sink is optional; evaluation never waits on one. */
  alerting: Type.Optional(
    Obj({
      /** Base URL of this collector's UI/API, used in generatorURL and links in messages. */
      externalUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
      alertmanager: Type.Optional(Obj({ urls: Type.Array(Type.String({ pattern: '^https?://' }), { minItems: 1, maxItems: 10 }), timeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 5000 }) })),
      webhook: Type.Optional(
        Obj({
          url: Type.String({ pattern: '^https?://' }),
          /** HMAC-SHA256 key for the X-Posture-Signature header. */
          secret: Type.Optional(Type.String({ minLength: 16, maxLength: 256 })),
          timeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 5000 }),
        }),
      ),
      email: Type.Optional(
        Obj({
          host: Type.String({ minLength: 1 }),
          port: Type.Integer({ minimum: 1, maximum: 65535, default: 25 }),
          secure: Type.Boolean({ default: false }),
          user: Type.Optional(Type.String()),
          password: Type.Optional(Type.String()),
          from: Type.String({ minLength: 3 }),
          to: Type.Array(Type.String({ minLength: 3 }), { minItems: 1, maxItems: 100 }),
          lang: Type.Union([Type.Literal('vi'), Type.Literal('en')], { default: 'vi' }),
          timeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
        }),
      ),
    }),
  ),
  auth: Obj({
    /** Admin and viewer tokens (hashes); more can be made with `posture tokens create`. */
    tokens: Type.Array(ApiTokenConfig, { default: [], maxItems: 1000 }),
    /** Serve /metrics without a token (e.g. when only a local Prometheus can reach the port). */
    metricsPublic: Type.Boolean({ default: false }),
  }),
  limits: Obj({
    /** Enrollment attempts per source address per minute (burst of the same size). */
    enrollPerMinute: Type.Integer({ minimum: 1, default: 10 }),
    /**
     * Failed authentications per source address per minute before that address's FAILING
     * attempts get 429. High: a unit behind NAT is one address. A good credential is never
     * refused for its address's failures.
     */
    authFailuresPerMinute: Type.Integer({ minimum: 1, default: 600 }),
    /** Failed authentications per presented credential (or token) per minute before it gets 429. */
    authFailuresPerCredentialPerMinute: Type.Integer({ minimum: 1, default: 10 }),
    /** Largest accepted request body, after decompression. */
    bodyBytes: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 1024 * 1024 }),
    /** Reports collected longer ago than this are refused (CLOCK_SKEW); younger spooled reports are stored as history. */
    clockSkewMinutes: Type.Integer({ minimum: 1, default: 24 * 60 }),
    /** Reports collected further than this AHEAD of the collector's clock are refused (CLOCK_SKEW). */
    futureSkewMinutes: Type.Number({ minimum: 0, maximum: 24 * 60, default: 5 }),
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
  const withSections = { listen: {}, limits: {}, auth: {}, relay: {}, protection: {}, ...(raw as Record<string, unknown>) };
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
  const names = new Set<string>();
  for (const t of filled.auth?.tokens ?? []) {
    if (names.has(t.name)) problems.push(`auth.tokens: token name "${t.name}" appears twice`);
    names.add(t.name);
  }
  for (const u of filled.units ?? []) {
    if (u.enrollmentSecretExpires && Number.isNaN(Date.parse(u.enrollmentSecretExpires))) problems.push(`units: enrollmentSecretExpires of "${u.id}" is not a date`);
  }
  const up = filled.upstream;
  if (up && filled.units) {
    if (!up.unit && filled.units.length !== 1) problems.push(`upstream.unit: required when units lists ${filled.units.length} units (say which unit this collector forwards for)`);
    if (up.unit && !ids.has(up.unit)) problems.push(`upstream.unit: "${up.unit}" is not one of units (${[...ids].join(', ')})`);
    if (up.backoffMaxMs < up.backoffMinMs) problems.push('upstream.backoffMaxMs: must be at least upstream.backoffMinMs');
  }
  if (problems.length) throw new ConfigError(file, [...new Set(problems)]);
  filled.dataDir = resolve(baseDir, filled.dataDir);
  if (filled.registryFile) filled.registryFile = resolve(baseDir, filled.registryFile);
  if (filled.rules) filled.rules.files = filled.rules.files.map((f) => resolve(baseDir, f));
  if (up) {
    up.unit ??= filled.units[0]!.id;
    if (up.caFile) up.caFile = resolve(baseDir, up.caFile);
    up.credentialFile = up.credentialFile ? resolve(baseDir, up.credentialFile) : resolve(filled.dataDir, 'upstream.credential');
  }
  if (filled.portals?.caFile) filled.portals.caFile = resolve(baseDir, filled.portals.caFile);
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
  if (doc.errors.length)
    throw new ConfigError(
      file,
      doc.errors.map((e) => `YAML syntax at line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`),
    );
  return validateConfig(doc.toJS(), file, dirname(resolve(file)));
}
