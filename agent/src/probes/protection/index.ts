/**
 * protection: every anti-malware/EDR product found, and the host verdict. A host is protected
 * when at least one product is installed, running, with real-time protection on and signatures
 * younger than `protection.maxSignatureAgeHours`. See README.md for each product's detection.
 */
import type { ProtectionProduct } from '@posture/protocol';
import type { Probe } from '../../probe.js';
import { ProbeFailure } from '../../probe.js';
import { linuxProcessTable, processTable } from '../common/processes.js';
import type { ProductContext } from './product.js';
import { bounded, reasonFor } from './product.js';
import { configuredDetectors, linuxDetectors } from './linux.js';
import { collectWindows } from './windows/index.js';

export const protectionProbe: Probe<'protection'> = {
  name: 'protection',
  description: 'anti-malware/EDR products, real-time state, signature age; protected verdict',
  timeoutMs: 20_000,
  async collect({ system, config }) {
    const { maxSignatureAgeHours: maxAgeHours, trustVendorUpToDate, commandTimeoutMs } = config.protection;
    const base = { system, now: system.now(), maxAgeHours, trustVendorUpToDate, commandTimeoutMs };
    let products: ProtectionProduct[];
    const notes: string[] = [];
    if (system.platform === 'linux') {
      const ctx: ProductContext = { ...base, processes: await linuxProcessTable(system) };
      const found = await Promise.all([...linuxDetectors, ...configuredDetectors(config)].map((d) => d(ctx)));
      products = found.filter((p): p is ProtectionProduct => p !== null);
    } else if (system.platform === 'win32') {
      const r = await collectWindows({ ...base, processes: processTable(new Map()) });
      products = r.products;
      notes.push(...r.notes);
    } else {
      throw new ProbeFailure('UNSUPPORTED_OS', `protection probe does not support ${system.platform}: the host cannot be judged protected`);
    }
    products = products.slice(0, 32).map(bounded);
    const reasons = products.length ? products.map((p) => reasonFor(p, maxAgeHours, trustVendorUpToDate)) : ['no anti-malware or EDR product found'];
    return { products, protected: products.some((p) => p.protects), reasons: [...reasons, ...notes].slice(0, 32).map((r) => r.slice(0, 512)), maxSignatureAgeHours: maxAgeHours };
  },
};
