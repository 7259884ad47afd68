/**
 * encryption.disk: the root filesystem sits on an encrypted device. Linux: `lsblk -J` tree, a
 * `crypt` device (dm-crypt/LUKS) between the disk and the device mounted on /. Windows:
 * BitLocker protection status of the system drive (Get-BitLockerVolume).
 */
import type { CheckFamily, CheckOutcome } from './check.js';
import { fail, okOut, pass, unknown, whyFailed } from './check.js';
import { jsonRows, powershell } from '../common/powershell.js';

const ID = 'encryption.disk';

interface BlockDevice {
  name: string;
  type: string;
  fstype?: string | null;
  mountpoint?: string | null;
  mountpoints?: (string | null)[];
  children?: BlockDevice[];
}

/** The chain of devices from a disk down to the one mounted on `/`, or null. */
export function rootChain(json: string): BlockDevice[] | null {
  const { blockdevices = [] } = JSON.parse(json) as { blockdevices?: BlockDevice[] };
  const walk = (d: BlockDevice, path: BlockDevice[]): BlockDevice[] | null => {
    const here = [...path, d];
    if (d.mountpoint === '/' || d.mountpoints?.includes('/')) return here;
    for (const c of d.children ?? []) {
      const found = walk(c, here);
      if (found) return found;
    }
    return null;
  };
  for (const d of blockdevices) {
    const found = walk(d, []);
    if (found) return found;
  }
  return null;
}

export function judgeLsblk(json: string): CheckOutcome {
  const chain = rootChain(json);
  if (!chain) return unknown(ID, 'no block device is mounted on / (container or network root?): encryption is decided by the host');
  const desc = chain.map((d) => `${d.name}(${d.type}${d.fstype ? ` ${d.fstype}` : ''})`).join(' > ');
  return chain.some((d) => d.type === 'crypt') ? pass(ID, `/ on ${desc}`) : fail(ID, `/ on ${desc}: no dm-crypt/LUKS layer`);
}

export const WINDOWS_BITLOCKER = 'Get-BitLockerVolume -MountPoint $env:SystemDrive | Select-Object MountPoint,VolumeStatus,ProtectionStatus,EncryptionPercentage | ConvertTo-Json';

/** ProtectionStatus: 0 Off, 1 On; VolumeStatus 1 FullyEncrypted. */
export function judgeBitLocker(json: string): CheckOutcome {
  const r = jsonRows(json, 'Get-BitLockerVolume')[0];
  if (!r) return unknown(ID, 'Get-BitLockerVolume returned nothing for the system drive');
  const on = r.ProtectionStatus === 1 || r.ProtectionStatus === 'On';
  const ev = `BitLocker ${String(r.MountPoint)}: ProtectionStatus=${String(r.ProtectionStatus)}, VolumeStatus=${String(r.VolumeStatus)}, ${String(r.EncryptionPercentage)}% encrypted`;
  return on ? pass(ID, ev) : fail(ID, ev);
}

export const encryptionFamily: CheckFamily = {
  name: 'encryption',
  ids: [ID],
  platforms: ['linux', 'win32'],
  async run({ system }) {
    if (system.platform === 'win32') {
      const r = await powershell(system, WINDOWS_BITLOCKER);
      const out = okOut(r);
      return [out === null ? unknown(ID, whyFailed('Get-BitLockerVolume', r)) : judgeBitLocker(out)];
    }
    const r = await system.run('lsblk', ['-J', '-o', 'NAME,TYPE,FSTYPE,MOUNTPOINT']);
    const out = okOut(r);
    return [out === null ? unknown(ID, whyFailed('lsblk -J', r)) : judgeLsblk(out)];
  },
};
