/**
 * Run a program to completion and collect what it printed: the one spawn helper of the test
 * harness (CLIs, chromium, LibreOffice, poppler, commands inside a namespace). Never throws on a
 * non-zero exit; the caller decides what a failure means. Killed (SIGKILL) after `timeoutMs`.
 */
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  stdout: string;
  /** The last `stderrTail` characters (all of it by default). */
  stderr: string;
}

export function runCommand(cmd: string, args: readonly string[], opts: { env?: Record<string, string>; timeoutMs?: number; stderrTail?: number } = {}): Promise<CommandResult> {
  const tail = opts.stderrTail ?? Infinity;
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-tail)));
    const t = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}
