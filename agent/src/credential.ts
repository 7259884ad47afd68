/** The agent credential from enrollment, kept in the state dir with 0600 permissions. */
import { mkdir, readFile, rename, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';

export interface Credential {
  collector: string;
  agentId: string;
  unit: string;
  credential: string;
}

export const credentialPath = (stateDir: string) => join(stateDir, 'credential.json');

export async function saveCredential(stateDir: string, c: Credential): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = credentialPath(stateDir);
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(c, null, 2) + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

export async function loadCredential(stateDir: string): Promise<Credential | null> {
  try {
    const c = JSON.parse(await readFile(credentialPath(stateDir), 'utf8')) as Credential;
    return typeof c.credential === 'string' && typeof c.agentId === 'string' ? c : null;
  } catch {
    return null;
  }
}
