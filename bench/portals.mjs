#!/usr/bin/env node
/**
 * Time to probe N portals (default 100) in the portal test internet with bounded concurrency,
 * and the prober's CPU per portal, against a same-run baseline of one DNS lookup (AAAA through
 * the same resolver) + one TCP connect (443 over IPv6) per portal. Also times the real
 * collector's `posture portals probe` over the same portals, and checks every portal's level.
 * Needs root (network namespaces) and Debian's nsd, unbound and nginx.
 *
 *   node bench/portals.mjs [portals=100] [concurrency=8] [rounds=3]     (builds first)
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { SMOKE } from './lib/smoke.mjs';

const root = resolve(import.meta.dirname, '..');
const build = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'protocol', 'collector'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
// vite-node (installed with vitest) runs the TypeScript driver, which uses testing/portal-net.ts.
const r = spawnSync(process.execPath, [join(root, 'node_modules/vite-node/vite-node.mjs'), join(root, 'bench/lib/portals.ts'), '--', ...(SMOKE ? ['3', '2', '1'] : process.argv.slice(2))], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
