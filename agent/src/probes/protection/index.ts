/**
 * protection: every anti-malware/EDR product found, and the host verdict. A host is protected
 * when at least one product is installed, running, with real-time protection on and signatures
 * younger than `protection.maxSignatureAgeHours`. See README.md for each product's detection.
 *
 * When the list of products could not be read (service list unreadable, WMI namespace or class
 * missing for another reason than "no Security Center"), "no product found" would be a guess:
 * the facts then carry an `unknown` entry for `products` with PROTECTION_ENUMERATION_FAILED,
 * and the host is not protected unless a product that was read protects.
 */
import type { ProtectionFacts, Reason } from '@posture/protocol';
import { reason } from '@posture/protocol';
import type { Probe } from '../../probe.js';
import { ProbeFailure } from '../../probe.js';
import { linuxProcessTable, processTable } from '../common/processes.js';
import type { FoundProduct, ProductContext } from './product.js';
import { bounded, boundedReason, reasonFor } from './product.js';
import { configuredDetectors, linuxDetectors } from './linux.js';
import { collectWindows, type Note } from './windows/index.js';

export const protectionProbe: Probe<'protection'> = {
  name: 'protection',
  description: 'anti-malware/EDR products, real-time state, signature age; protected verdict',
  timeoutMs: 20_000,
  async collect({ system, config, cycle }) {
    const { maxSignatureAgeHours: maxAgeHours, trustVendorUpToDate, commandTimeoutMs, onAccessMustCover } = config.protection;
    const base = { system, now: system.now(), maxAgeHours, trustVendorUpToDate, commandTimeoutMs, mustCover: onAccessMustCover };
    let found: FoundProduct[];
    const notes: Note[] = [];
    if (system.platform === 'linux') {
      const ctx: ProductContext = { ...base, processes: await linuxProcessTable(system, cycle) };
      const all = await Promise.all([...linuxDetectors, ...configuredDetectors(config)].map((d) => d(ctx)));
      found = all.filter((p): p is FoundProduct => p !== null);
      // A Linux host always shows at least pid 1: an empty table means /proc could not be read
      // (hidepid, a restricted container), and products known only by their processes are unseen.
      if (ctx.processes.names.size === 0) {
        notes.push({ text: 'the process list could not be read (/proc shows no process): products known by their processes cannot be seen', code: reason('PROTECTION_ENUMERATION_FAILED', { source: '/proc' }), enumerationFailed: true });
      }
    } else if (system.platform === 'win32') {
      const r = await collectWindows({ ...base, processes: processTable(new Map()) });
      found = r.products;
      notes.push(...r.notes);
    } else {
      throw new ProbeFailure('UNSUPPORTED_OS', `protection probe does not support ${system.platform}: the host cannot be judged protected`);
    }
    found = found.slice(0, 32);
    const verdicts = found.map((p) => reasonFor(p, maxAgeHours, trustVendorUpToDate));
    const failed = notes.filter((n) => n.enumerationFailed);
    const reasons: string[] = verdicts.map((v) => v.text);
    const reasonCodes: Reason[] = verdicts.flatMap((v) => v.codes);
    if (!found.length && !failed.length) {
      reasons.push('no anti-malware or EDR product found');
      reasonCodes.push(reason('PROTECTION_NO_PRODUCT'));
    }
    for (const n of notes) {
      reasons.push(n.enumerationFailed ? `protection unknown: ${n.text}` : n.text);
      reasonCodes.push(n.code);
    }
    const unknown = failed.map((n) => ({ field: 'products', reason: n.text.slice(0, 512), reasonCode: boundedReason(n.code) }));
    const facts: ProtectionFacts = {
      products: found.map(bounded),
      protected: found.some((p) => p.protects),
      reasons: reasons.slice(0, 32).map((r) => r.slice(0, 512)),
      reasonCodes: reasonCodes.slice(0, 32).map(boundedReason),
      maxSignatureAgeHours: maxAgeHours,
    };
    return unknown.length ? { ...facts, unknown: unknown.slice(0, 16) } : facts;
  },
};
