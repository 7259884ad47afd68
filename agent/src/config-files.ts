/**
 * Reading the agent config files: the main YAML file and the drop-in directory beside it
 * (`agent.d/*.yaml`, name order). Each parsed file keeps its YAML document so that a problem
 * found after merging can still be pinned to the file and line that set the key.
 */
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid agent config:\n  - ${problems.join('\n  - ')}`);
  }
}

export interface Layer {
  file: string;
  /** The parsed YAML (any shape: validation decides). */
  value: unknown;
  /** "file:line" of the key at `path` when this file sets it, else null. */
  locate(path: readonly string[]): string | null;
}

/** The drop-in directory of a main config file: /etc/posture/agent.yaml -> /etc/posture/agent.d */
export const dropInDir = (file: string) => join(dirname(file), 'agent.d');

export function parseLayer(file: string, text: string): Layer {
  const lc = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => `${file}:${lc.linePos(e.pos[0]).line}: YAML syntax: ${e.message.split('\n')[0]}`),
    );
  }
  return {
    file,
    value: doc.toJS(),
    locate(path) {
      for (let n = path.length; n > 0; n--) {
        const node = doc.getIn(path.slice(0, n), true);
        if (isNode(node) && node.range) return `${file}:${lc.linePos(node.range[0]).line}`;
      }
      return null;
    },
  };
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [`cannot read the file: ${(e as Error).message}`]);
  }
}

/** The main file, then each drop-in in name order. A missing drop-in directory is fine. */
export async function readLayers(file: string): Promise<Layer[]> {
  const layers = [parseLayer(file, await readText(file))];
  let names: string[] = [];
  try {
    names = (await readdir(dropInDir(file))).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(dropInDir(file), [`cannot read the drop-in directory: ${(e as Error).message}`]);
  }
  for (const n of names) {
    const f = join(dropInDir(file), n);
    layers.push(parseLayer(f, await readText(f)));
  }
  return layers;
}
