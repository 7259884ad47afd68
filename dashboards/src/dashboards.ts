/** Every dashboard, one line each: the file name and the function that builds it. */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { agents } from './agents.js';
import type { Lang } from './common.js';
import { endpoints } from './endpoints.js';
import { ipv6 } from './ipv6.js';
import { overview } from './overview.js';
import { systems } from './systems.js';

export const DASHBOARDS: readonly { file: string; build: (lang: Lang) => dashboard.Dashboard }[] = [
  { file: 'overview.json', build: overview },
  { file: 'endpoints.json', build: endpoints },
  { file: 'ipv6.json', build: ipv6 },
  { file: 'systems.json', build: systems },
  { file: 'agents.json', build: agents },
];
