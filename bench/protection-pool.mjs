#!/usr/bin/env node
// What keeping the product facts of 100,000 hosts costs a full read of the rule inputs (a
// restart: store/host-inputs-cache.ts keeps each host's facts in a ProtectionPool): put() of each
// host's facts as the read parses them, against the same run's JSON.parse of the same texts (what
// the read does for each row anyway). Facts as agents send them: one or two products, some
// probes failed, signature dates and ages that differ per host. Prints medians.
//   npx tsc -b protocol agent collector && node bench/protection-pool.mjs
import { readFileSync } from 'node:fs';
import { ProtectionPool } from '../collector/dist/store/protection-pool.js';
import { sized } from './lib/smoke.mjs';

const HOSTS = sized(100_000, 500);
const RUNS = sized(7, 1);
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const collected = Date.parse('2026-12-01T00:00:00Z');
const product = (key, id, name, running, ageHours, i) => ({
  key,
  id,
  name,
  antiMalware: true,
  installed: true,
  running,
  realTime: running,
  signatureless: false,
  signatureMs: collected + i - ageHours * 3_600_000,
  signatureAgeHours: ageHours,
  signatureUpToDate: null,
});
const texts = Array.from({ length: HOSTS }, (_, i) => {
  const collectedMs = collected + i;
  if (i % 50 === 0) return JSON.stringify({ collectedMs, products: null, failure: 'PROBE_TIMEOUT', agentProtected: null, agentLimitHours: null });
  const products = [product('clamav', 'clamav', 'ClamAV', i % 7 !== 0, (i % 48) / 2, i)];
  if (i % 3 === 0) products.push(product('mdatp', 'mdatp', 'Microsoft Defender for Endpoint', true, (i % 24) / 4, i));
  return JSON.stringify({ collectedMs, products, failure: null, agentProtected: i % 7 !== 0, agentLimitHours: 168 });
});

const parseMs = [];
const putMs = [];
let sink = 0;
for (let k = 0; k < RUNS; k++) {
  let t = performance.now();
  const parsed = texts.map((x) => JSON.parse(x));
  parseMs.push(performance.now() - t);
  const pool = new ProtectionPool(HOSTS);
  t = performance.now();
  for (const f of parsed) sink += pool.put(f);
  putMs.push(performance.now() - t);
  // Read back: what was kept is what was given.
  for (let i = 0; i < HOSTS; i += 997) if (JSON.stringify(pool.get(pool.put(parsed[i]))) !== texts[i]) throw new Error(`host ${i}: the pool gave back other facts`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const us = (ms) => ((ms * 1000) / HOSTS).toFixed(2);
console.log(`\nProtectionPool.put at a full read: ${HOSTS.toLocaleString('en-US')} hosts, median of ${RUNS}, load average ${loadavg()}`);
console.log(`baseline: JSON.parse of each host's facts        ${median(parseMs).toFixed(0).padStart(6)} ms  ${us(median(parseMs))} us/host`);
console.log(`put() of each host's facts (parsed)              ${median(putMs).toFixed(0).padStart(6)} ms  ${us(median(putMs))} us/host  ${(median(putMs) / median(parseMs)).toFixed(2)}x baseline`);
if (sink === -1) console.log(sink); // keep the work observable
