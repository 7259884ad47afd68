/**
 * rdp.nla (Windows): Remote Desktop is off (fDenyTSConnections=1) or requires Network Level
 * Authentication (RDP-Tcp UserAuthentication=1), so no login screen is offered before the
 * user has authenticated.
 */
import type { CheckFamily, CheckOutcome } from './check.js';
import { fail, okOut, pass, unknown, whyFailed } from './check.js';
import { jsonRows, powershell, valueText } from '../common/powershell.js';

const ID = 'rdp.nla';

export const WINDOWS_RDP =
  "[pscustomobject]@{ fDenyTSConnections = (Get-ItemProperty 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server').fDenyTSConnections; UserAuthentication = (Get-ItemProperty 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp').UserAuthentication } | ConvertTo-Json";

export function judgeRdp(json: string): CheckOutcome {
  const r = jsonRows(json, 'Terminal Server registry')[0];
  if (!r) return unknown(ID, 'Terminal Server registry values not returned');
  const ev = `fDenyTSConnections=${valueText(r.fDenyTSConnections, 'unset')}, RDP-Tcp UserAuthentication=${valueText(r.UserAuthentication, 'unset')}`;
  if (r.fDenyTSConnections === 1) return pass(ID, `Remote Desktop off (${ev})`);
  return r.UserAuthentication === 1 ? pass(ID, `Remote Desktop on with NLA (${ev})`) : fail(ID, `Remote Desktop on without NLA (${ev}): require Network Level Authentication`);
}

export const rdpFamily: CheckFamily = {
  name: 'rdp',
  ids: [ID],
  platforms: ['win32'],
  async run({ system }) {
    const r = await powershell(system, WINDOWS_RDP);
    const out = okOut(r);
    return [out === null ? unknown(ID, whyFailed('Terminal Server registry', r)) : judgeRdp(out)];
  },
};
