/**
 * The agent report: one JSON document per collection cycle. This file is the single source of
 * truth for both its TypeScript type (agent builds it) and its JSON Schema (collector validates
 * it with ajv). Every object is closed (`additionalProperties: false`) and every string and
 * array is bounded, so a hostile or broken agent cannot push arbitrary data into the store.
 *
 * Compatibility rule: a field never changes type once shipped. Adding an optional field is a
 * minor change; anything else bumps SCHEMA_VERSION.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Reason } from './reasons/reason.js';

export const SCHEMA_VERSION = 1 as const;

/** Closed object: unknown fields are rejected, not ignored. */
const Obj = <T extends Parameters<typeof Type.Object>[0]>(props: T, description?: string) => Type.Object(props, { additionalProperties: false, ...(description ? { description } : {}) });

/** Bounded string. Short identifiers default to 256 characters. */
export const Str = (maxLength = 256, extra: Record<string, unknown> = {}) => Type.String({ maxLength, ...extra });
/** Bounded array. */
const List = <T extends TSchema>(item: T, maxItems: number) => Type.Array(item, { maxItems });
/** A value the OS did not tell us: null, with the reason in the sibling `unknown` list. */
const Maybe = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** Identifier of units, systems and agents: letters, digits and . _ - (no spaces, no quotes). */
export const Ident = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });
export const IsoTime = Type.String({ format: 'date-time', maxLength: 40 });

/** Why a field is null: the field name and the reason, e.g. {field:'realTime', reason:'...'}. */
export const UnknownField = Obj({
  field: Str(64),
  /** Evidence: what the OS said (any language); never parsed for meaning. */
  reason: Str(512),
  /** Why, as a catalogue code (added after v0.1: optional). */
  reasonCode: Type.Optional(Reason),
});
export type UnknownField = Static<typeof UnknownField>;

/** A probe failed: it reports this instead of facts; the rest of the report still goes. */
export const ProbeError = Obj({
  /** Stable code, e.g. PROBE_TIMEOUT, PROBE_FAILED, UNSUPPORTED_OS. */
  code: Str(64),
  message: Str(2048),
});
export type ProbeError = Static<typeof ProbeError>;

// ---------------------------------------------------------------- host

export const OsFamily = Type.Union([Type.Literal('linux'), Type.Literal('windows'), Type.Literal('darwin'), Type.Literal('other')]);
export const HostRole = Type.Union([Type.Literal('server'), Type.Literal('workstation')]);
export type HostRole = Static<typeof HostRole>;

export const HostFacts = Obj({
  hostname: Str(253),
  /** FQDN when the resolver knows one, else the hostname. */
  fqdn: Str(253),
  os: Obj({
    family: OsFamily,
    /** e.g. "Debian GNU/Linux", "Microsoft Windows Server 2019 Standard". */
    distro: Str(128),
    release: Str(64),
    kernel: Str(128),
    arch: Str(32),
  }),
  uptimeSeconds: Type.Integer({ minimum: 0 }),
  /** /etc/machine-id on Linux, MachineGuid on Windows; empty when unreadable. */
  machineId: Str(128),
  /** Non-loopback addresses of up interfaces. */
  ips: List(Str(64), 256),
  role: HostRole,
  /** Whether the role came from the agent config or was inferred from the OS. */
  roleSource: Type.Union([Type.Literal('config'), Type.Literal('inferred')]),
  agentVersion: Str(32),
});
export type HostFacts = Static<typeof HostFacts>;

// ---------------------------------------------------------------- protection

export const ProtectionProduct = Obj({
  /** Stable product id, e.g. clamav, defender, mdatp, falcon, sentinelone, kesl, bkav. */
  id: Ident,
  name: Str(128),
  vendor: Str(128),
  version: Maybe(Str(128)),
  installed: Type.Boolean(),
  running: Maybe(Type.Boolean()),
  /** Real-time (on-access) protection by this product. */
  realTime: Maybe(Type.Boolean()),
  signatureVersion: Maybe(Str(128)),
  signatureDate: Maybe(IsoTime),
  signatureAgeHours: Maybe(Type.Number({ minimum: 0 })),
  /**
   * The vendor's own "signatures up to date" flag, when the OS gives a flag but no date (Windows
   * Security Center productState). Optional: absent when the product reports an age instead.
   */
  signatureUpToDate: Type.Optional(Maybe(Type.Boolean())),
  /**
   * True for products without a local signature database (behavioural/cloud EDR such as
   * CrowdStrike Falcon): the signature age limit does not apply to them. Optional, default false.
   */
  signatureless: Type.Optional(Type.Boolean()),
  /** Anti-malware or EDR that can protect the host alone; false for e.g. a Wazuh agent. */
  antiMalware: Type.Boolean(),
  /** True when this product alone meets the protected definition. */
  protects: Type.Boolean(),
  /** What was read: services, files, commands. */
  evidence: List(Str(512), 32),
  unknown: List(UnknownField, 16),
});
export type ProtectionProduct = Static<typeof ProtectionProduct>;

export const ProtectionFacts = Obj({
  products: List(ProtectionProduct, 32),
  /** At least one product installed, running, real-time on, signatures younger than the limit. */
  protected: Type.Boolean(),
  /** Why the host is (or is not) protected, one line per product or cause. */
  reasons: List(Str(512), 32),
  /** The same reasons as catalogue codes, rendered in the reader's language (added after v0.1: optional). */
  reasonCodes: Type.Optional(List(Reason, 32)),
  /** The signature age limit the verdict used. */
  maxSignatureAgeHours: Type.Number({ minimum: 0 }),
  /**
   * What could not be read, e.g. {field:'products'} when the list of products itself could not
   * be read (service list, WMI): "no product" is then unknown, not absent (added after v0.1: optional).
   */
  unknown: Type.Optional(List(UnknownField, 16)),
});
export type ProtectionFacts = Static<typeof ProtectionFacts>;

// ---------------------------------------------------------------- ipv6

export const Ipv6Readiness = Type.Union([Type.Literal('none'), Type.Literal('address'), Type.Literal('routed'), Type.Literal('dual-stack-services'), Type.Literal('ready')]);
export type Ipv6Readiness = Static<typeof Ipv6Readiness>;
export const IPV6_LEVELS: readonly Ipv6Readiness[] = ['none', 'address', 'routed', 'dual-stack-services', 'ready'];

export const Ipv6Scope = Type.Union([Type.Literal('global'), Type.Literal('ula'), Type.Literal('link-local'), Type.Literal('loopback'), Type.Literal('other')]);

export const Ipv6Facts = Obj({
  /** IPv6 enabled in the kernel (null when unknown). */
  enabled: Maybe(Type.Boolean()),
  /** What disabled it, e.g. "net.ipv6.conf.all.disable_ipv6=1", "DisabledComponents=0xFF". */
  disabledBy: Maybe(Str(256)),
  addresses: List(Obj({ interface: Str(64), address: Str(64), prefixLength: Type.Integer({ minimum: 0, maximum: 128 }), scope: Ipv6Scope }), 256),
  defaultRoute: Maybe(Type.Boolean()),
  dns: Obj({
    resolvers: List(Str(64), 16),
    /** A resolver with an IPv6 address answered. */
    ipv6ResolverReachable: Maybe(Type.Boolean()),
    /** Each IPv6 resolver asked (at most 4), and what happened (added after v0.1: optional). */
    queried: Type.Optional(List(Obj({ server: Str(64), answered: Type.Boolean(), detail: Str(256) }), 4)),
  }),
  /** Names this host serves (from config), with their A and AAAA records. */
  services: List(Obj({ name: Str(253), a: List(Str(64), 32), aaaa: List(Str(64), 32), error: Maybe(Str(512)) }), 32),
  /** Listening sockets (TCP, and UDP: DNS, NTP, syslog...) and whether they accept IPv6. */
  listeners: List(
    Obj({
      /** tcp or udp (added after v0.1: optional; absent means tcp). */
      protocol: Type.Optional(Type.Union([Type.Literal('tcp'), Type.Literal('udp')])),
      port: Type.Integer({ minimum: 0, maximum: 65535 }),
      bind: Str(64),
      family: Type.Union([Type.Literal('dual-stack'), Type.Literal('ipv6'), Type.Literal('ipv4')]),
      process: Maybe(Str(128)),
    }),
    512,
  ),
  /** Outbound TCP connect over IPv6 to a configured target (never ICMP). */
  outbound: Maybe(Obj({ target: Str(300), reachable: Type.Boolean(), error: Maybe(Str(512)), ms: Maybe(Type.Number({ minimum: 0 })) })),
  readiness: Ipv6Readiness,
  /** Why the host is not at the next readiness level. */
  reasons: List(Str(512), 16),
  /** The same reasons as catalogue codes (added after v0.1: optional). */
  reasonCodes: Type.Optional(List(Reason, 16)),
  unknown: List(UnknownField, 16),
});
export type Ipv6Facts = Static<typeof Ipv6Facts>;

// ---------------------------------------------------------------- baseline

export const CheckResult = Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('unknown')]);
export type CheckResult = Static<typeof CheckResult>;

export const BaselineCheck = Obj({
  /** Stable check id, e.g. firewall.default_deny, ssh.root_login. */
  id: Str(64, { pattern: '^[a-z0-9][a-z0-9._-]*$' }),
  title: Obj({ vi: Str(256), en: Str(256) }),
  /** Lowest security level (1-5) that requires this check. */
  level: Type.Integer({ minimum: 1, maximum: 5 }),
  result: CheckResult,
  evidence: Str(1024),
  /** Why the check failed or is unknown, as a catalogue code (added after v0.1: optional). */
  reasonCode: Type.Optional(Reason),
  /** The TCVN 11930 clause the check comes from, and whether its placement is the authors' judgement (optional). */
  clause: Type.Optional(Str(512)),
  judgement: Type.Optional(Type.Boolean()),
  /** What to do when it fails, in a line (optional; the evidence names the specific fix). */
  remediation: Type.Optional(Str(512)),
  /** The measured quantity compared with per-level thresholds, e.g. days of logs kept (optional). */
  value: Type.Optional(Type.Number()),
  /**
   * The result at each level from `level` to 5 when the requirement grows with the level
   * (e.g. logs kept 1/3/6/12 months at levels 2/3/4/5); `result` is the one at `level` (optional).
   */
  byLevel: Type.Optional(
    List(
      Obj({
        level: Type.Integer({ minimum: 1, maximum: 5 }),
        result: CheckResult,
        /** The minimum `value` this level requires. */
        threshold: Type.Number(),
      }),
      5,
    ),
  ),
});
export type BaselineCheck = Static<typeof BaselineCheck>;

export const BaselineFacts = Obj({
  checks: List(BaselineCheck, 128),
  /** Which check-to-level mapping was applied (added after v0.1: optional). */
  mapping: Type.Optional(
    Obj({
      /** "built-in", or the override file named by baseline.mappingFile. */
      source: Str(1024),
      legalBasis: Str(512),
      /** Why the override file was not applied (the built-in mapping was used instead). */
      error: Maybe(Str(2048)),
    }),
  ),
});
export type BaselineFacts = Static<typeof BaselineFacts>;

// ---------------------------------------------------------------- membership

export const MembershipFacts = Obj({
  /** The unit this host belongs to, as configured. The collector trusts the credential, not this. */
  unit: Ident,
  /** Ids of the information systems this host serves (registry ids). */
  systems: List(Ident, 64),
  role: HostRole,
});
export type MembershipFacts = Static<typeof MembershipFacts>;

// ---------------------------------------------------------------- report

/** Result of one probe: facts, or an error; always with its duration. */
const ProbeResult = <T extends TSchema>(facts: T) => Type.Union([Obj({ ok: Type.Literal(true), durationMs: Type.Number({ minimum: 0 }), facts }), Obj({ ok: Type.Literal(false), durationMs: Type.Number({ minimum: 0 }), error: ProbeError })]);

export const Probes = Obj({
  host: ProbeResult(HostFacts),
  membership: ProbeResult(MembershipFacts),
  protection: Type.Optional(ProbeResult(ProtectionFacts)),
  ipv6: Type.Optional(ProbeResult(Ipv6Facts)),
  baseline: Type.Optional(ProbeResult(BaselineFacts)),
});
export type Probes = Static<typeof Probes>;
export type ProbeName = keyof Probes;
export type ProbeResultOf<K extends ProbeName> = NonNullable<Probes[K]>;

export const AgentHealth = Obj({
  /** Reports waiting in the agent's spool when this one was made. */
  spoolDepth: Type.Integer({ minimum: 0 }),
  /** Reports the agent had to drop (spool full) since it started counting. */
  dropped: Type.Integer({ minimum: 0 }),
  /** Wall time of the whole collection. */
  collectMs: Type.Number({ minimum: 0 }),
});
export type AgentHealth = Static<typeof AgentHealth>;

export const Report = Type.Object(
  {
    schemaVersion: Type.Literal(SCHEMA_VERSION),
    /** UUID, the idempotency key: a resend of the same id is acknowledged and not counted twice. */
    reportId: Type.String({ format: 'uuid', maxLength: 36 }),
    /** The agent id from enrollment; the collector checks it against the credential. */
    agentId: Ident,
    collectedAt: IsoTime,
    probes: Probes,
    agent: AgentHealth,
  },
  // `$id` only names the schema for reuse by reference (the collector's routes say
  // `Type.Ref(Report)`); it changes nothing on the wire. Only top-level schemas get one: ajv
  // refuses a document in which one `$id` appears at two places.
  { additionalProperties: false, description: 'One agent report: the facts of one host at one time.', $id: 'Report' },
);
export type Report = Static<typeof Report>;
