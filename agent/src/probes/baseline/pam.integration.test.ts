/**
 * Account checks against real PAM (pamtester) in a private mount namespace: the test bind-mounts
 * copies of /etc/passwd, /etc/shadow and /etc/pam.d (with an account whose password field is
 * empty) over the real ones inside `unshare -m`, so nothing changes for the rest of the machine.
 * There pamtester proves what the stack does (with Debian's `nullok` the account logs in with
 * an empty password; without it, it does not), and the built agent's account checks run in the
 * same namespace and must say the same. Needs root, util-linux (unshare) and pamtester.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../../..');
let dir = '';

const SCRIPT = `set -e
D=$1
mount --make-rprivate /
cp /etc/passwd /etc/shadow "$D/"
echo "pbltest:x:4242:4242::/tmp:/bin/sh" >> "$D/passwd"
echo "pbltest::19000:0:99999:7:::" >> "$D/shadow"
cp -a /etc/pam.d "$D/pam.d"
if [ "$2" = strip ]; then sed -i 's/ nullok//' "$D/pam.d/common-auth"; fi
mount --bind "$D/passwd" /etc/passwd; mount --bind "$D/shadow" /etc/shadow; mount --bind "$D/pam.d" /etc/pam.d
if echo "" | pamtester login pbltest authenticate >/dev/null 2>&1; then echo PAM=ok; else echo PAM=denied; fi
node --input-type=module -e '
const { accountsFamily } = await import("${ROOT}/agent/dist/probes/baseline/accounts.js");
const { builtinMapping } = await import("${ROOT}/agent/dist/probes/baseline/mapping.js");
const { LocalSystem } = await import("${ROOT}/agent/dist/system.js");
const m = builtinMapping();
const ctx = { system: new LocalSystem(), processes: new Set(), role: "server", earlier: {}, config: {}, param: (id, k) => m.checks.get(id).params[k] };
console.log(JSON.stringify(await accountsFamily.run(ctx)));'
`;

function inNamespace(variant: 'debian' | 'strip') {
  const d = mkdtempSync(join(dir, `${variant}-`));
  const out = execFileSync('unshare', ['-m', 'bash', join(dir, 'run.sh'), d, variant], { encoding: 'utf8' });
  const [pam, json] = out.trim().split('\n');
  return { pam, checks: Object.fromEntries((JSON.parse(json!) as { id: string; result: string; evidence: string }[]).map((o) => [o.id, o])) };
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'agent/dist/probes/baseline/accounts.js'))) throw new Error('agent/dist missing: run `npx tsc -b protocol agent` first');
  if (!existsSync('/usr/bin/pamtester')) throw new Error('/usr/bin/pamtester missing: install pamtester (scripts/install-deps.sh)');
  dir = mkdtempSync(join(tmpdir(), 'p4-pam-'));
  writeFileSync(join(dir, 'run.sh'), SCRIPT);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('PAM stacks with an empty-password account (private mount namespace)', () => {
  it("trap: Debian's stock common-auth has nullok: the account logs in with no password, both checks fail", () => {
    const { pam, checks } = inNamespace('debian');
    expect(pam).toBe('PAM=ok');
    expect(checks['accounts.no_empty_passwords']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/empty password in \/etc\/shadow: pbltest/) as unknown });
    expect(checks['accounts.pam_nullok']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/nullok in the auth stack of .*login/) as unknown });
  });
  it('without nullok PAM refuses the empty password and pam_nullok passes (the empty field still fails)', () => {
    const { pam, checks } = inNamespace('strip');
    expect(pam).toBe('PAM=denied');
    expect(checks['accounts.pam_nullok']!.result).toBe('pass');
    expect(checks['accounts.no_empty_passwords']!.result).toBe('fail');
  });
  it('the host itself was not changed', () => {
    // getent exits 2 when the key is not found.
    expect(() => execFileSync('getent', ['passwd', 'pbltest'], { stdio: 'pipe' })).toThrow(expect.objectContaining({ status: 2 }) as Error);
  });
});
