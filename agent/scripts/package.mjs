#!/usr/bin/env node
/**
 * Agent packaging, from the TypeScript sources (no prior tsc needed):
 *   bundle  dist/pkg/posture-agent.cjs   one CommonJS file, runs on plain node >= 20, no node_modules
 *   sea     dist/pkg/posture-agent       Node single executable (Linux x64) made from this node
 *   tar     dist/pkg/posture-agent-<v>-linux-x64.tar.gz   /usr/bin, systemd unit, example config
 *   deb     dist/pkg/posture-agent_<v>_amd64.deb          the same tree as a Debian package
 * Usage: node agent/scripts/package.mjs [--out DIR] [bundle|sea|tar|deb ...]   (default: all)
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const AGENT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = resolve(AGENT, '..');
const VERSION = JSON.parse(readFileSync(join(AGENT, 'package.json'), 'utf8')).version;
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const OUT = resolve(outIdx >= 0 ? args.splice(outIdx, 2)[1] : join(AGENT, 'dist', 'pkg'));
const steps = args.length ? args : ['bundle', 'sea', 'tar', 'deb'];
const unknown = steps.filter((s) => !['bundle', 'sea', 'tar', 'deb'].includes(s));
if (unknown.length) {
  console.error(`unknown step(s) ${unknown.join(', ')}: use bundle, sea, tar, deb`);
  process.exit(2);
}
mkdirSync(OUT, { recursive: true });
const bundleFile = join(OUT, 'posture-agent.cjs');
const seaFile = join(OUT, 'posture-agent');
const sh = (cmd, argv, opts = {}) => execFileSync(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });

async function bundle() {
  await build({
    entryPoints: [join(AGENT, 'src/main.ts')],
    outfile: bundleFile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    // CommonJS: Node SEA runs one CommonJS script.
    format: 'cjs',
    minify: true,
    sourcemap: false,
    legalComments: 'external',
    // Dependencies (node-cron) use import.meta.url, which CommonJS output leaves empty.
    banner: { js: '#!/usr/bin/env node\nconst __import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    define: { 'import.meta.url': '__import_meta_url' },
    // The protocol workspace from source: the bundle must not depend on a prior tsc build.
    alias: { '@posture/protocol': join(ROOT, 'protocol/src/index.ts') },
    logLevel: 'warning',
  });
  chmodSync(bundleFile, 0o755);
  console.log(`bundle: ${bundleFile}`);
}

function sea() {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`the single executable is built for linux-x64 only (this is ${process.platform}-${process.arch})`);
  const blob = join(OUT, 'sea-prep.blob');
  const cfg = join(OUT, 'sea-config.json');
  writeFileSync(cfg, JSON.stringify({ main: bundleFile, output: blob, disableExperimentalSEAWarning: true, useCodeCache: false }));
  execFileSync(process.execPath, ['--experimental-sea-config', cfg], { stdio: 'pipe' });
  rmSync(seaFile, { force: true });
  copyFileSync(process.execPath, seaFile);
  chmodSync(seaFile, 0o755);
  // postject warns about .note sections of Debian's node binary; show its output only on failure.
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/postject/dist/cli.js'), seaFile, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`postject failed: ${e.stderr?.toString() ?? e.message}`, { cause: e });
  }
  rmSync(blob);
  rmSync(cfg);
  console.log(`sea: ${seaFile}`);
}

/** The installed tree: the single executable, the hardened unit, an example config. */
function tree(dir) {
  rmSync(dir, { recursive: true, force: true });
  const put = (from, to, mode) => {
    mkdirSync(dirname(join(dir, to)), { recursive: true });
    copyFileSync(from, join(dir, to));
    chmodSync(join(dir, to), mode);
  };
  put(seaFile, 'usr/bin/posture-agent', 0o755);
  put(join(ROOT, 'deploy/systemd/posture-agent.service'), 'lib/systemd/system/posture-agent.service', 0o644);
  put(join(ROOT, 'deploy/config/agent.example.yaml'), 'usr/share/doc/posture-agent/agent.example.yaml', 0o644);
  mkdirSync(join(dir, 'etc/posture/agent.d'), { recursive: true });
}

function tar() {
  const name = `posture-agent-${VERSION}-linux-x64`;
  const dir = join(OUT, name);
  tree(dir);
  const file = join(OUT, `${name}.tar.gz`);
  sh('tar', ['-C', OUT, '--owner=0', '--group=0', '-czf', file, name]);
  rmSync(dir, { recursive: true });
  console.log(`tar: ${file}`);
}

function deb() {
  const dir = join(OUT, 'deb-root');
  tree(dir);
  mkdirSync(join(dir, 'DEBIAN'));
  const kb = Number(execFileSync('du', ['-sk', dir]).toString().split('\t')[0]);
  writeFileSync(
    join(dir, 'DEBIAN/control'),
    `Package: posture-agent\nVersion: ${VERSION}\nArchitecture: amd64\nMaintainer: Posture <posture@localhost>\nInstalled-Size: ${kb}\nSection: admin\nPriority: optional\nDescription: Posture host agent\n Reports endpoint protection, IPv6 readiness and baseline facts to a Posture collector.\n Single executable: no Node.js needed on the host.\n`,
  );
  for (const [name, text] of Object.entries(maintainerScripts)) {
    writeFileSync(join(dir, 'DEBIAN', name), text);
    chmodSync(join(dir, 'DEBIAN', name), 0o755);
  }
  const file = join(OUT, `posture-agent_${VERSION}_amd64.deb`);
  // gzip -1: the payload is one mostly incompressible executable; xz would take a minute.
  sh('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z1', '--build', dir, file], { stdio: ['ignore', 'ignore', 'inherit'] });
  rmSync(dir, { recursive: true });
  console.log(`deb: ${file}`);
}

const maintainerScripts = {
  postinst: `#!/bin/sh
set -e
if [ "$1" = configure ]; then
  mkdir -p /var/lib/posture-agent && chmod 0700 /var/lib/posture-agent
  if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
  echo "posture-agent: write /etc/posture/agent.yaml, run 'posture-agent enroll --secret ...', then 'systemctl enable --now posture-agent'"
fi
`,
  prerm: `#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then systemctl stop posture-agent.service || true; fi
`,
};

for (const step of ['bundle', 'sea', 'tar', 'deb']) {
  if (!steps.includes(step)) continue;
  if (step === 'bundle') await bundle();
  if (step === 'sea') sea();
  if (step === 'tar') tar();
  if (step === 'deb') deb();
}
