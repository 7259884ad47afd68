/** A BaselineContext over a FixtureSystem, with the built-in mapping's parameters. */
import { validateConfig } from '../agent/src/config.js';
import type { BaselineContext } from '../agent/src/probes/baseline/check.js';
import { builtinMapping } from '../agent/src/probes/baseline/mapping.js';
import { FixtureSystem, type Fixture } from './fixture-system.js';

export function baselineContext(fx: Fixture & { processes?: string[] }, over: Partial<BaselineContext> = {}): BaselineContext {
  const role = over.role ?? 'server';
  return {
    system: new FixtureSystem(fx),
    config: validateConfig({ unit: 'test-unit' }, 'test'),
    earlier: {},
    processes: new Set(fx.processes ?? []),
    role,
    applies: (id) => builtinMapping().checks.get(id)?.roles?.includes(role) ?? true,
    param: (id, key) => builtinMapping().checks.get(id)!.params![key]!,
    thresholds: (id) => Object.values(builtinMapping().checks.get(id)?.minByLevel ?? {}).sort((a, b) => a - b),
    ...over,
  };
}
