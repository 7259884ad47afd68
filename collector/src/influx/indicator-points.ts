/** The `indicator` points of one evaluation: one per indicator and scope (see collector/README.md, Measurements). */
import type { ScopedObservation } from '../rules/observe.js';
import { MEASUREMENTS, type Point } from './points.js';

/** `names`: the unit's short name and the system's name, written as unit_name / system_name tags. */
export function indicatorPoints(observations: readonly ScopedObservation[], now: Date, names?: { unit: ReadonlyMap<string, string>; system: ReadonlyMap<string, string> }): Point[] {
  const ts = now.getTime();
  return observations.map((o) => {
    const fields: Point['fields'] = { pass: o.pass, total: o.total, target: o.target };
    if (o.value !== null) fields.ratio = o.value;
    if (o.result.met !== null) fields.met = o.result.met;
    // No empty tag values: InfluxDB 1.x refuses a line with `unit=` ("missing tag value").
    const tags: Record<string, string> = { indicator: o.indicator, scope: o.kind };
    if (o.kind !== 'ministry') tags[o.kind] = o.id;
    const name = o.kind === 'unit' ? names?.unit.get(o.id) : o.kind === 'system' ? names?.system.get(o.id) : undefined;
    if (name) tags[`${o.kind}_name`] = name;
    return { measurement: MEASUREMENTS.indicator, tags, fields, timestamp: ts };
  });
}
