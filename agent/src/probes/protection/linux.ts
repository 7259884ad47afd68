/** Linux detectors, one line per product, plus the products a site declares in its config. */
import type { AgentConfig } from '../../config.js';
import type { ProductDetector } from './product.js';
import { detectBitdefender } from './products/bitdefender.js';
import { detectClamav } from './products/clamav.js';
import { detectEset } from './products/eset.js';
import { detectFalcon } from './products/falcon.js';
import { detectKesl } from './products/kesl.js';
import { detectMdatp } from './products/mdatp.js';
import { detectSophos, detectTrendMicro, processOnly } from './products/process-only.js';
import { detectSentinelOne } from './products/sentinelone.js';
import { detectWazuh } from './products/wazuh.js';

export const linuxDetectors: readonly ProductDetector[] = [detectClamav, detectMdatp, detectFalcon, detectSentinelOne, detectEset, detectKesl, detectSophos, detectTrendMicro, detectBitdefender, detectWazuh];

/**
 * Products a site knows by process name (e.g. a BKAV, CMC or Viettel agent whose Linux process
 * names are not public): reported as found, real-time and signatures unknown, never protecting.
 */
export function configuredDetectors(config: AgentConfig): ProductDetector[] {
  return config.protection.extraProducts.map((p) =>
    processOnly({
      id: p.id,
      name: p.name,
      vendor: p.vendor,
      paths: p.paths,
      processes: p.processes,
      note: 'declared in the agent config by process name: real-time state and signature age are not readable',
    }),
  );
}
