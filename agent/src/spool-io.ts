/** The spool's file writes: atomic by default, in place only when the disk has no room. */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Write `dir/name` whole or not at all: tmp file, fsync, rename, fsync of the directory. */
export async function writeAtomic(dir: string, tmpDir: string, name: string, data: string): Promise<void> {
  const tmp = join(tmpDir, `${name}.${randomBytes(4).toString('hex')}`);
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(dir, name));
  } catch (e) {
    // A half-written file on a full disk would hold the very space the next write needs.
    await rm(tmp, { force: true });
    throw e;
  }
  // Make the rename itself durable (the directory entry), not only the file's bytes.
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/**
 * Overwrite an existing file in the blocks it already holds (no second copy: for a full disk).
 * Not atomic: a crash mid-write leaves a torn file.
 */
export async function overwriteInPlace(file: string, data: string): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    const { bytesWritten } = await fh.write(data, 0);
    await fh.truncate(bytesWritten);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
