/**
 * Third-party products on Windows by service name and state (Win32_Service) and, for products
 * known only by process names (BKAV, CMC), by Get-Process. This is how products are seen on
 * Windows Server, which has no Security Center. A running service says the product runs; it does
 * not say whether real-time scanning is on or how old the signatures are: those stay unknown, so
 * such a product never counts as protecting by guess.
 */
import { asArray, isObject, strOf } from '../../common/json.js';
import type { FoundProduct, ProductContext, Unknowns } from '../product.js';
import { product } from '../product.js';

interface Known {
  match: RegExp;
  id: string;
  name: string;
  vendor: string;
  signatureless?: boolean;
}

/** Service names (Win32_Service.Name). Sources in the probe README. */
export const KNOWN_SERVICES: readonly Known[] = [
  { match: /^AVP(\..+)?$/i, id: 'kaspersky', name: 'Kaspersky Endpoint Security', vendor: 'Kaspersky' },
  { match: /^ekrn$/i, id: 'eset', name: 'ESET Security', vendor: 'ESET' },
  { match: /^ntrtscan$/i, id: 'trendmicro', name: 'Trend Micro Apex One', vendor: 'Trend Micro' },
  { match: /^ds_agent$/i, id: 'trendmicro', name: 'Trend Micro Deep Security Agent', vendor: 'Trend Micro' },
  // Two registrations of one vendor, two products: the classic anti-virus and Intercept X's
  // endpoint defense can run (and fail) separately, so they keep separate ids.
  { match: /^SAVService$/i, id: 'sophos-av', name: 'Sophos Anti-Virus', vendor: 'Sophos' },
  { match: /^(Sophos Endpoint Defense Service|SEDService)$/i, id: 'sophos-interceptx', name: 'Sophos Intercept X (Endpoint Defense)', vendor: 'Sophos' },
  { match: /^CSFalconService$/i, id: 'falcon', name: 'CrowdStrike Falcon', vendor: 'CrowdStrike', signatureless: true },
  { match: /^SentinelAgent$/i, id: 'sentinelone', name: 'SentinelOne', vendor: 'SentinelOne', signatureless: true },
  { match: /^BkavService$/i, id: 'bkav', name: 'Bkav', vendor: 'Bkav' },
  { match: /^SepMasterService$/i, id: 'symantec', name: 'Symantec Endpoint Protection', vendor: 'Broadcom (Symantec)' },
];

/** Process names (without .exe) of products that are known only by their processes. */
export const KNOWN_PROCESSES: readonly Known[] = [
  { match: /^BkavService$/i, id: 'bkav', name: 'Bkav', vendor: 'Bkav' },
  { match: /^(CMCNECore|cmcepagent)$/i, id: 'cmc', name: 'CMC Endpoint Security', vendor: 'CMC Cyber Security' },
];

const SERVICE_RE = "'^(AVP(\\..+)?|ekrn|ntrtscan|ds_agent|SAVService|Sophos Endpoint Defense Service|SEDService|CSFalconService|SentinelAgent|BkavService|SepMasterService)$'";
export const SERVICES_PIPELINE =
  `[pscustomobject]@{ services = @(Get-CimInstance -ClassName Win32_Service | Where-Object { $_.Name -match ${SERVICE_RE} } | Select-Object Name,DisplayName,State,StartMode); ` +
  'processes = @(Get-Process -Name BkavService,CMCNECore,cmcepagent -ErrorAction SilentlyContinue | Select-Object -ExpandProperty ProcessName -Unique); ' +
  // 1 workstation, 2 domain controller, 3 server: only a workstation must have Security Center.
  'productType = (Get-CimInstance -ClassName Win32_OperatingSystem).ProductType }';

/** Win32_OperatingSystem.ProductType from the service query: 1 workstation, 2/3 server, null unknown. */
export function productTypeOf(value: unknown): number | null {
  const t = isObject(value) ? value.productType : null;
  return typeof t === 'number' && [1, 2, 3].includes(t) ? t : null;
}

interface Seen {
  known: Known;
  running: boolean;
  evidence: string[];
}

/** Products seen through services and processes, one per product id. */
export function serviceProducts(value: unknown, ctx: ProductContext): FoundProduct[] {
  const o = isObject(value) ? value : {};
  const byId = new Map<string, Seen>();
  const note = (known: Known, running: boolean, line: string) => {
    const s = byId.get(known.id) ?? { known, running: false, evidence: [] };
    s.running ||= running;
    s.evidence.push(line);
    byId.set(known.id, s);
  };
  for (const raw of asArray(o.services)) {
    if (!isObject(raw)) continue;
    const name = strOf(raw.Name);
    const known = name ? KNOWN_SERVICES.find((k) => k.match.test(name)) : undefined;
    if (!known || !name) continue;
    const state = strOf(raw.State) ?? 'unknown';
    note(known, /^running$/i.test(state), `service ${name} (${strOf(raw.DisplayName) ?? '-'}): ${state}, start ${strOf(raw.StartMode) ?? '?'}`);
  }
  for (const raw of asArray(o.processes)) {
    const name = strOf(raw);
    const known = name ? KNOWN_PROCESSES.find((k) => k.match.test(name)) : undefined;
    if (known && name) note(known, true, `process ${name}.exe running`);
  }
  return [...byId.values()].map(({ known, running, evidence }) => {
    const unknown: Unknowns = [
      { field: 'realTime', reason: 'a service state does not tell whether real-time scanning is on' },
      ...(known.signatureless ? [] : [{ field: 'signatureDate', reason: 'no signature date readable without the vendor console' }]),
    ];
    return product(
      {
        id: known.id,
        name: known.name,
        vendor: known.vendor,
        version: null,
        installed: true,
        running,
        realTime: running ? null : false,
        signatureVersion: null,
        signatureDate: null,
        signatureAgeHours: null,
        ...(known.signatureless ? { signatureless: true } : {}),
        antiMalware: true,
        evidence,
        unknown,
      },
      ctx,
    );
  });
}
