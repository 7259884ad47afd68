/** host probe on Linux: facts from files (fixtures) and from this machine, no child process. */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../config.js';
import { LocalSystem, type SystemReader } from '../../system.js';
import { hostProbe } from './index.js';
import { addressesOf, parseOsRelease } from './linux.js';

const config = validateConfig({ unit: 'TTCNTT' }, 'test.yaml');

/** The real machine, except that running a command is a test failure. */
class NoChildSystem extends LocalSystem {
  override run(): never {
    throw new Error('the host probe must not start a child process on Linux');
  }
}

describe('host probe (Linux)', () => {
  it('parses os-release of Debian, Ubuntu and RHEL', () => {
    expect(parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n')).toMatchObject({ NAME: 'Debian GNU/Linux', VERSION_ID: '12', ID: 'debian' });
    expect(parseOsRelease('NAME="Ubuntu"\nVERSION_ID="22.04"\n# comment\n\n')).toEqual({ NAME: 'Ubuntu', VERSION_ID: '22.04' });
    expect(parseOsRelease('NAME=\'Red Hat Enterprise Linux\'\nVERSION_ID="9.4"\n')).toEqual({ NAME: 'Red Hat Enterprise Linux', VERSION_ID: '9.4' });
  });

  it('lists non-loopback addresses, IPv4 first, without link-local IPv6', () => {
    const lo = { address: '127.0.0.1', family: 'IPv4', internal: true } as os.NetworkInterfaceInfo;
    const v4 = { address: '10.1.2.3', family: 'IPv4', internal: false } as os.NetworkInterfaceInfo;
    const ll = { address: 'fe80::1', family: 'IPv6', internal: false } as os.NetworkInterfaceInfo;
    const g6 = { address: '2001:db8::3', family: 'IPv6', internal: false } as os.NetworkInterfaceInfo;
    expect(addressesOf({ lo: [lo], eth0: [g6, ll, v4] })).toEqual(['10.1.2.3', '2001:db8::3']);
  });

  it('reads this machine without starting any process, and matches /etc/os-release', async () => {
    const system: SystemReader = new NoChildSystem();
    const facts = await hostProbe.collect({ system, config, signal: new AbortController().signal, earlier: {} });
    const rel = parseOsRelease(await readFile('/etc/os-release', 'utf8'));
    expect(facts.os).toEqual({ family: 'linux', distro: rel.NAME, release: rel.VERSION_ID ?? '', kernel: os.release(), arch: os.arch() });
    expect(facts.hostname).toBe(os.hostname());
    expect(facts.machineId).toMatch(/^[0-9a-f]{32}$/);
    expect(facts.role).toBe('server');
    expect(facts.roleSource).toBe('inferred');
  });
});
