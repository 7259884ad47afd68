/** A registry of information systems for a simulated fleet, with a share classified. */
import { stringify } from 'yaml';
import { prng, systemIdsOf } from './fleet.js';

export function simulatedRegistry(units: readonly { id: string; name: string }[], opts: { systemsPerUnit: number; classified: number; seed: number }): string {
  const rnd = prng(opts.seed ^ 0x5eed);
  const systems = units.flatMap((u) =>
    systemIdsOf(u.id, opts.systemsPerUnit).map((id, k) => {
      const classified = rnd() < opts.classified;
      const level = 1 + Math.floor(rnd() * 4);
      return {
        id,
        name: `${k === 0 ? 'Cổng thông tin điện tử' : `Hệ thống thông tin ${k + 1}`} - ${u.name}`,
        ownerUnit: u.id,
        ...(classified || rnd() < 0.5 ? { level } : {}),
        ...(classified ? { approval: { number: `${100 + k}/QĐ-${u.id}`, date: '2022-03-15' }, protectionPlan: { deployed: true, date: '2022-06-30' } } : {}),
        tags: k === 0 ? ['portal'] : [],
      };
    }),
  );
  return stringify({ systems });
}
