/**
 * SSH checks against sshd_config variants (written here, with Debian's Include layout) and
 * `sshd -T` output (lowercase key/value lines, as OpenSSH 9.2 prints them).
 */
import { describe, expect, it } from 'vitest';
import { baselineContext } from '../../../../testing/baseline-context.js';
import { FixtureSystem, type Fixture } from '../../../../testing/fixture-system.js';
import { sshFamily } from './ssh.js';

const results = async (fx: Fixture) => Object.fromEntries((await sshFamily.run(baselineContext(fx))).map((o) => [o.id, o]));
const DEBIAN = 'Include /etc/ssh/sshd_config.d/*.conf\n\n#PermitRootLogin prohibit-password\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\nSubsystem sftp /usr/lib/openssh/sftp-server\n';
const files = (main: string, dropIns: Record<string, string> = {}) => ({
  files: { '/etc/ssh/sshd_config': main, ...Object.fromEntries(Object.entries(dropIns).map(([n, t]) => [`/etc/ssh/sshd_config.d/${n}`, t])) },
  dirs: ['/etc/ssh/sshd_config.d'],
  commands: { 'sshd -T': { kind: 'ok' as const, code: 1, stdout: '', stderr: 'sshd: no hostkeys available -- exiting.\n' } },
});

describe('sshd_config variants', () => {
  it('Debian default: root by key only, password logins allowed', async () => {
    const r = await results(files(DEBIAN));
    expect(r['ssh.root_login']).toMatchObject({ result: 'pass', evidence: expect.stringMatching(/permitrootlogin prohibit-password \(default\).*sshd -T: exit 1: sshd: no hostkeys/) });
    expect(r['ssh.empty_passwords']!.result).toBe('pass');
    expect(r['ssh.weak_crypto']).toMatchObject({ result: 'pass', evidence: expect.stringMatching(/OpenSSH defaults/) });
    expect(r['ssh.password_auth']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/passwordauthentication yes \(default\)/) });
  });

  it('a drop-in wins over the main file (first value wins, Include comes first)', async () => {
    const r = await results(files(`${DEBIAN}PermitRootLogin no\n`, { '50-cloud-init.conf': 'PasswordAuthentication yes\nPermitRootLogin yes\n' }));
    expect(r['ssh.root_login']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/^permitrootlogin yes .*PermitRootLogin prohibit-password or no/) });
  });

  it('hardened: keys only, no root, modern algorithms', async () => {
    const hard =
      'PermitRootLogin no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nCiphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com\nMACs hmac-sha2-512-etm@openssh.com\nClientAliveInterval 300\nClientAliveCountMax 3\nMaxAuthTries 4\nLogLevel VERBOSE\nBanner /etc/issue.net\n';
    const r = await results(files(DEBIAN, { '90-hardening.conf': hard }));
    expect(Object.values(r).filter((o) => o.result !== 'pass')).toEqual([]);
  });

  it('empty passwords and weak algorithms fail, naming them', async () => {
    const bad = 'PermitEmptyPasswords yes\nCiphers aes128-ctr,3des-cbc,aes256-cbc\nMACs +hmac-md5\nKexAlgorithms diffie-hellman-group1-sha1\nProtocol 2,1\n';
    const r = await results(files(bad));
    expect(r['ssh.empty_passwords']!.result).toBe('fail');
    expect(r['ssh.weak_crypto']!.result).toBe('fail');
    expect(r['ssh.weak_crypto']!.evidence).toMatch(/ciphers 3des-cbc; ciphers aes256-cbc; macs hmac-md5; kexalgorithms diffie-hellman-group1-sha1; protocol 2,1/);
  });

  it('removing algorithms ("-" prefix) adds nothing weak; a Match block for another user does not re-allow root', async () => {
    const r = await results(files('Ciphers -3des-cbc\nPasswordAuthentication no\nMatch User backup\n  PermitRootLogin yes\n  PasswordAuthentication no\n'));
    expect(r['ssh.weak_crypto']!.result).toBe('pass');
    expect(r['ssh.root_login']!.result).toBe('pass');
  });

  it('trap: PermitRootLogin no in the main file, a Match User root block in a drop-in re-allows it', async () => {
    const r = await results(files(`${DEBIAN}PermitRootLogin no\n`, { '50-admin.conf': 'Match User root\n  PermitRootLogin yes\n' }));
    expect(r['ssh.root_login']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/^permitrootlogin yes for Match User root/) as unknown });
  });

  it('a Match Address block that turns password logins back on fails password_auth', async () => {
    const r = await results(files('PasswordAuthentication no\nKbdInteractiveAuthentication no\nMatch Address 10.0.0.0/8\n  PasswordAuthentication yes\n'));
    expect(r['ssh.password_auth']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/for Match Address 10\.0\.0\.0\/8/) as unknown });
  });
});

describe('sshd -T and no server', () => {
  it('uses the effective configuration when sshd -T works', async () => {
    const t =
      'port 22\npermitrootlogin without-password\npermitemptypasswords no\npasswordauthentication no\nkbdinteractiveauthentication no\nciphers chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com\nmacs umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1\nkexalgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group14-sha256\n';
    const root = 'user=root,host=localhost,addr=127.0.0.1,laddr=127.0.0.1,lport=22';
    const r = await results({ commands: { 'sshd -T': t, [`sshd -T -C ${root}`]: t }, files: { '/etc/ssh/sshd_config': 'PermitRootLogin yes\n' } });
    expect(['ssh.root_login', 'ssh.empty_passwords', 'ssh.weak_crypto', 'ssh.password_auth'].map((id) => r[id]!.result)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(r['ssh.root_login']!.evidence).toBe('permitrootlogin without-password (also for root) [sshd -T and -C for 1 connection(s)]');
  });

  it('sshd -T -C user=root sees what plain sshd -T does not (Match User root)', async () => {
    const root = 'user=root,host=localhost,addr=127.0.0.1,laddr=127.0.0.1,lport=22';
    const r = await results({ commands: { 'sshd -T': 'permitrootlogin no\n', [`sshd -T -C ${root}`]: 'permitrootlogin yes\n' }, files: { '/etc/ssh/sshd_config': 'PermitRootLogin no\nMatch User root\n PermitRootLogin yes\n' } });
    expect(r['ssh.root_login']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/^permitrootlogin yes for root \[sshd -T and -C/) as unknown });
  });

  it('trap: config edited after sshd started: the file is not enforced yet', async () => {
    const boot = 1_795_000_000; // seconds
    const fx = {
      ...files('PermitRootLogin no\nPasswordAuthentication no\n'),
      files: {
        '/etc/ssh/sshd_config': 'PermitRootLogin no\nPasswordAuthentication no\n',
        '/run/sshd.pid': '812\n',
        '/proc/812/stat': `812 (sshd) S 1 812 812 0 -1 4194560 ${'0 '.repeat(13)}20 0 1 0 50000 12345 678`,
        '/proc/stat': `cpu  1 2 3\nbtime ${boot}\n`,
      },
      // sshd started at boot + 500 s; the file changed an hour later.
      mtimes: { '/etc/ssh/sshd_config': new Date((boot + 500 + 3600) * 1000) },
    };
    const r = await results(fx);
    expect(r['ssh.config_loaded']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/sshd_config changed .* after sshd started .*reload sshd/) as unknown });
    expect(r['ssh.root_login']).toMatchObject({ result: 'unknown', evidence: expect.stringMatching(/the running sshd may enforce older settings/) as unknown });
  });

  it('no sshd and no config: nobody can log in over SSH', async () => {
    const r = await results({});
    expect(Object.values(r).every((o) => o.result === 'pass' && /no SSH server installed/.test(o.evidence))).toBe(true);
  });

  it('a long-running agent reuses sshd -T while binary, config files and host keys are unchanged', async () => {
    const root = 'user=root,host=localhost,addr=127.0.0.1,laddr=127.0.0.1,lport=22';
    const t = 'permitrootlogin no\npasswordauthentication no\nhostkey /etc/ssh/ssh_host_ed25519_key\n';
    const fx: Fixture = {
      files: { '/etc/ssh/sshd_config': 'Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\n', '/etc/ssh/sshd_config.d/10-a.conf': 'PasswordAuthentication no\n', '/etc/ssh/ssh_host_ed25519_key': 'key', '/usr/sbin/sshd': '' },
      commands: { 'sshd -T': t, [`sshd -T -C ${root}`]: t },
      mtimes: { '/etc/ssh/sshd_config': new Date('2026-11-01T00:00:00Z'), '/etc/ssh/ssh_host_ed25519_key': new Date('2026-11-01T00:00:00Z') },
    };
    const system = new FixtureSystem(fx);
    const cycle = async () => Object.fromEntries((await sshFamily.run(baselineContext(fx, { system }))).map((o) => [o.id, o]));
    const sshdRuns = () => system.ran.filter((c) => c.startsWith('sshd')).length;
    expect((await cycle())['ssh.root_login']!.evidence).not.toMatch(/run at/);
    expect(sshdRuns()).toBe(2);
    const second = await cycle();
    expect(sshdRuns()).toBe(2); // answered from the first cycle's runs
    expect(second['ssh.root_login']).toMatchObject({ result: 'pass', evidence: expect.stringMatching(/sshd -T and -C for 1 connection\(s\) \(run at 2026-11-20T08:00:00.000Z; binary, config files and host keys unchanged since\)/) as unknown });
    // Each input, changed, makes sshd run again.
    fx.mtimes!['/etc/ssh/sshd_config'] = new Date('2026-11-20T07:00:00Z');
    await cycle();
    expect(sshdRuns()).toBe(4);
    fx.mtimes!['/etc/ssh/sshd_config.d/10-a.conf'] = new Date('2026-11-20T07:10:00Z'); // a drop-in (found through the Include)
    await cycle();
    expect(sshdRuns()).toBe(6);
    fx.mtimes!['/etc/ssh/ssh_host_ed25519_key'] = new Date('2026-11-20T07:30:00Z'); // a host key named by sshd -T
    await cycle();
    expect(sshdRuns()).toBe(8);
    await cycle();
    expect(sshdRuns()).toBe(8);
  });

  it('a timed-out sshd -T is never reused', async () => {
    const fx: Fixture = { files: { '/etc/ssh/sshd_config': 'PermitRootLogin no\n' }, commands: { 'sshd -T': { kind: 'timeout', afterMs: 5000 } } };
    const system = new FixtureSystem(fx);
    await sshFamily.run(baselineContext(fx, { system }));
    await sshFamily.run(baselineContext(fx, { system }));
    expect(system.ran.filter((c) => c === 'sshd -T')).toHaveLength(2);
  });
});
