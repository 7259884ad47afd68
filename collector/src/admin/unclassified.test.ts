/**
 * The systems API reads the unclassified systems a chunk of hosts at a time (only their units
 * and declared systems): the same systems, units, host counts and order as the members the
 * indicators count (systemMembers over every host's inputs), and one instant's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../context.js';
import { sampleReport } from '../../../testing/reports.js';
import { system, twoUnitCollector } from '../../../testing/fleet.js';
import { unclassifiedSystems, unclassifiedSystemsSliced } from './actions.js';

let c: Collector;
let close: () => Promise<void>;
const at = new Date(Date.now() - 60_000);

function hostDeclaring(unit: string, hostname: string, systems: string[], collectedAt = at): string {
  const { agentId } = c.agents.enroll(unit, hostname, '');
  c.storeReport(sampleReport({ agentId, unit, hostname, systems, collectedAt }), unit, [], collectedAt);
  return agentId;
}

beforeAll(async () => {
  ({ c, close } = await twoUnitCollector('posture-unclassified-'));
  c.systems.put(system('known', 'A'), 'api');
  hostDeclaring('B', 'b1', ['zeta', 'known']);
  hostDeclaring('A', 'a1', []);
  hostDeclaring('A', 'a2', ['alpha', 'zeta', 'alpha']);
  const gone = hostDeclaring('A', 'a3', ['only-decommissioned', 'alpha']);
  c.hosts.decommission(gone, 'retired');
  // Stale (reported long ago): still counted.
  hostDeclaring('B', 'b2', ['beta'], new Date(Date.now() - 30 * 86_400_000));
  for (let i = 0; i < 5; i++) hostDeclaring(i % 2 ? 'A' : 'B', `x${i}`, ['many']);
});
afterAll(() => close());

describe('unclassified systems read in chunks', () => {
  it('are the unregistered systems of the members, with their unit and host count, in their order, for every chunk size', async () => {
    const members = unclassifiedSystems(c).map((s) => ({ id: s.id, unit: s.unit, hosts: s.hosts }));
    expect(members).toEqual([
      { id: 'zeta', unit: 'B', hosts: 2 },
      { id: 'alpha', unit: 'A', hosts: 2 },
      { id: 'beta', unit: 'B', hosts: 1 },
      { id: 'many', unit: 'B', hosts: 5 },
    ]);
    for (const size of [1, 2, 3, 2000]) expect(await unclassifiedSystemsSliced(c, size), `chunks of ${size}`).toEqual(members);
  });

  it('count the hosts of the instant they were asked for, whatever is committed between chunks', async () => {
    const before = await unclassifiedSystemsSliced(c);
    const reading = unclassifiedSystemsSliced(c, 2);
    // The first chunk is read synchronously; these commit before the next one.
    hostDeclaring('A', 'late', ['many', 'late-system']);
    c.hosts.decommission(c.hosts.find('x4')[0]!.agent_id, 'retired');
    expect(await reading).toEqual(before);
    expect(await unclassifiedSystemsSliced(c, 2)).toEqual([...before.map((s) => (s.id === 'many' ? { ...s, hosts: 5 } : s)), { id: 'late-system', unit: 'A', hosts: 1 }]);
  });
});
