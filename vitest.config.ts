import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources of sibling workspaces, not their dist/.
    alias: {
      '@posture/protocol': src('./protocol/src/index.ts'),
    },
  },
  test: {
    include: ['{protocol,agent,collector,dashboards,rules}/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real servers (influxd, clamd, alertmanager); keep them from
    // fighting over the machine's two cores.
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks',
  },
});
