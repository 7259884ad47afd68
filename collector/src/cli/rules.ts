/**
 * posture rules check FILE...  (like promtool check rules): load strictly, print every problem.
 * posture rules test FILE...   (like promtool test rules): run rule unit tests.
 * Exit codes: 0 ok, 1 problems or failed tests, 2 unreadable test files.
 */
import type { Command } from 'commander';
import { formatProblem, loadRuleFiles, RuleFileError } from '../rules/format.js';
import { expandRuleFiles } from '../rules/manager.js';
import { runRuleTestFile } from '../rules/unittest.js';

export function rulesCommand(program: Command, setExit: (code: number) => void): void {
  const rules = program.command('rules').description('check and test rule files');

  rules
    .command('check')
    .description('validate rule files (or directories of *.rules.yaml): every problem with file:line:col, group, rule and field')
    .argument('<files...>')
    .action((files: string[]) => {
      let failed = false;
      for (const f of expandRuleFiles(files)) {
        try {
          const groups = loadRuleFiles([f]);
          console.log(`${f}: SUCCESS: ${groups.length} group(s), ${groups.reduce((n, g) => n + g.rules.length, 0)} rule(s)`);
        } catch (e) {
          if (!(e instanceof RuleFileError)) throw e;
          failed = true;
          console.error(`${f}: FAILED:\n  ${e.problems.map(formatProblem).join('\n  ')}`);
        }
      }
      if (failed) setExit(1);
    });

  rules
    .command('test')
    .description('run rule unit tests (rules/tests/*.test.yaml): fleets, evaluation times, expected ratios and alerts')
    .argument('<files...>')
    .action((files: string[]) => {
      let code = 0;
      for (const f of files) {
        try {
          const r = runRuleTestFile(f);
          if (r.failures.length) {
            code = Math.max(code, 1);
            console.error(`${f}: FAILED (${r.failures.length} problem(s) in ${r.tests} test(s)):\n  ${r.failures.join('\n  ')}`);
          } else console.log(`${f}: SUCCESS: ${r.tests} test(s)`);
        } catch (e) {
          code = 2;
          console.error(e instanceof RuleFileError ? `${f}: the rules under test do not load:\n  ${e.message}` : `${f}: ${(e as Error).message}`);
        }
      }
      setExit(code);
    });
}
