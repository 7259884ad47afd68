/**
 * protection: every anti-malware/EDR product found, and the host verdict. A host is protected
 * when at least one product is installed, running, with real-time protection on and signatures
 * younger than `protection.maxSignatureAgeHours`. See README.md for each product's detection.
 */
import type { ProtectionProduct } from '@posture/protocol';
import type { Probe } from '../../probe.js';
import { ProbeFailure } from '../../probe.js';
import { linuxProcessNames } from '../common/processes.js';
import type { ProductDetector } from './product.js';
import { reasonFor } from './product.js';
import { detectClamav } from './products/clamav.js';
import { detectMdatp } from './products/mdatp.js';

/** Linux detectors, one line per product. */
export const linuxDetectors: readonly ProductDetector[] = [detectClamav, detectMdatp];

export const protectionProbe: Probe<'protection'> = {
  name: 'protection',
  description: 'anti-malware/EDR products, real-time state, signature age; protected verdict',
  timeoutMs: 20_000,
  async collect({ system, config }) {
    if (system.platform !== 'linux') {
      throw new ProbeFailure('UNSUPPORTED_OS', `protection probe does not support ${system.platform} yet`);
    }
    const maxAgeHours = config.protection.maxSignatureAgeHours;
    const ctx = { system, processes: await linuxProcessNames(system), now: system.now(), maxAgeHours };
    const found = await Promise.all(linuxDetectors.map((d) => d(ctx)));
    const products = found.filter((p): p is ProtectionProduct => p !== null);
    const isProtected = products.some((p) => p.protects);
    const reasons = products.length ? products.map((p) => reasonFor(p, maxAgeHours)) : ['no anti-malware or EDR product found'];
    return { products, protected: isProtected, reasons, maxSignatureAgeHours: maxAgeHours };
  },
};
