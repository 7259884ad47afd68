/**
 * Package sources (apt):
 * - packages.signed_sources: apt verifies what it installs: no list was fetched unsigned (every
 *   `*_Packages*` list in /var/lib/apt/lists has its suite's InRelease or Release.gpg beside it:
 *   what apt really downloaded, including sources added with `[trusted=yes]`), and apt's
 *   effective configuration (`apt-config dump`) does not allow unauthenticated packages or
 *   insecure repositories;
 * - packages.official_sources: every suite comes from the distribution (the `Origin:` of its
 *   signed Release file, which a mirror keeps: Debian, Ubuntu), others are named.
 */
import type { CheckFamily, CheckOutcome } from './check.js';
import { fail, okOut, pass, unknown, whyFailed } from './check.js';
import { aptConfigDump, LISTS } from './apt-lists.js';

const SIGNED = 'packages.signed_sources';
const OFFICIAL = 'packages.official_sources';
const OFFICIAL_ORIGINS = /^(Debian|Ubuntu|Debian Backports|Debian-Security|UbuntuESM|UbuntuESMApps)$/;
const INSECURE = ['APT::Get::AllowUnauthenticated', 'Acquire::AllowInsecureRepositories', 'Acquire::AllowDowngradeToInsecureRepositories'];

export const packagesFamily: CheckFamily = {
  name: 'packages',
  ids: [SIGNED, OFFICIAL],
  platforms: ['linux'],
  async run(ctx) {
    const { system } = ctx;
    if ((await system.stat('/usr/bin/apt-get')) === null) {
      return [unknown(SIGNED, 'no apt: package source checks read apt only'), unknown(OFFICIAL, 'no apt: package source checks read apt only')];
    }
    const [names, dump] = await Promise.all([system.readDir(LISTS), aptConfigDump(ctx)]);
    const lists = (names ?? []).filter((n) => /_Packages(\.\w+)?$/.test(n));
    const releases = new Set((names ?? []).filter((n) => /_(InRelease|Release)$/.test(n)));
    const signedRelease = (prefix: string) => releases.has(`${prefix}InRelease`) || (releases.has(`${prefix}Release`) && (names ?? []).includes(`${prefix}Release.gpg`));
    // A list's suite prefix: everything up to the component (`..._dists_SUITE_`).
    const suites = new Map<string, string[]>();
    for (const l of lists) {
      const prefix =
        [...releases]
          .map((r) => r.replace(/(InRelease|Release)$/, ''))
          .filter((p) => l.startsWith(p))
          .sort((a, b) => b.length - a.length)[0] ?? l.replace(/[^_]+_binary-[^_]+_Packages.*$/, '');
      suites.set(prefix, [...(suites.get(prefix) ?? []), l]);
    }
    const out: CheckOutcome[] = [];
    const dumpOut = okOut(dump);
    const insecure = dumpOut === null ? [] : INSECURE.filter((k) => new RegExp(`^${k.replace(/:/g, ':')} "(true|1|yes)";`, 'mi').test(dumpOut));
    const unsigned = [...suites.keys()].filter((p) => !signedRelease(p));
    if (!lists.length) out.push(unknown(SIGNED, `no package lists in ${LISTS}: run apt-get update`));
    else if (dumpOut === null) out.push(unknown(SIGNED, whyFailed('apt-config dump', dump)));
    else if (insecure.length || unsigned.length)
      out.push(
        fail(
          SIGNED,
          `${insecure.length ? `apt allows unauthenticated sources (${insecure.join(', ')}); ` : ''}${unsigned.length ? `suites fetched without a signed Release: ${unsigned.map((p) => p.replace(/_$/, '')).join(', ')} ([trusted=yes]?)` : ''}: remove them and give each source its signing key (signed-by)`,
        ),
      );
    else out.push(pass(SIGNED, `${suites.size} suite(s), each with a signed Release; apt-config allows no unauthenticated source`));

    const origins: string[] = [];
    const foreign: string[] = [];
    for (const p of suites.keys()) {
      const rel = releases.has(`${p}InRelease`) ? `${p}InRelease` : `${p}Release`;
      const head = await system.readHead(`${LISTS}/${rel}`, 2048);
      const origin = head?.match(/^Origin:\s*(.+)$/m)?.[1]?.trim() ?? '(no Origin)';
      origins.push(origin);
      if (!OFFICIAL_ORIGINS.test(origin)) foreign.push(`${p.replace(/_$/, '')} (Origin: ${origin})`);
    }
    if (!suites.size) out.push(unknown(OFFICIAL, `no package lists in ${LISTS}: run apt-get update`));
    else
      out.push(
        foreign.length
          ? fail(OFFICIAL, `suites not from the distribution: ${foreign.join(', ')}: keep only official archives (or the ministry's mirror of them)`)
          : pass(OFFICIAL, `every suite comes from the distribution (Origin: ${[...new Set(origins)].join(', ')})`),
      );
    return out;
  },
};
