/**
 * One writer per store directory: an O_EXCL lock file holding the writer's PID. A lock whose PID is no
 * longer running (the writer was killed) is stale and is taken over.
 *
 * Taking over goes through an atomic rename to a name of our own, then re-reads what was renamed: if
 * another process replaced the stale lock in between, its live lock is put back and we report it.
 */
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { HftError } from '../../core/errors.ts';
import { LOCK_FILE } from './FileEventStoreInternals.ts';

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

export class WriterLock {
  private constructor(readonly path: string, readonly pid: number) {}

  static async acquire(dir: string): Promise<WriterLock> {
    const path = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 5; attempt++) {
      // link() of a file that already holds our PID creates the lock with its content atomically
      // (EEXIST when taken), so no reader ever sees an empty lock file.
      const mine = `${path}.${process.pid}.new`;
      const fh = await open(mine, 'w');
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      try {
        await link(mine, path);
        return new WriterLock(path, process.pid);
      } catch (e) {
        if (errno(e) !== 'EEXIST') throw e;
      } finally {
        await unlink(mine).catch(() => undefined);
      }
      const holder = await readPid(path);
      if (holder === undefined) continue; // released between our open and read: try again
      if (holder.pid !== undefined && isRunning(holder.pid)) throw locked(dir, holder.pid);
      // Stale (or not a PID): take it over.
      const aside = `${path}.${process.pid}.stale`;
      try {
        await rename(path, aside);
      } catch (e) {
        if (errno(e) === 'ENOENT') continue;
        throw e;
      }
      const moved = await readPid(aside);
      if (moved?.pid !== undefined && moved.pid !== holder.pid && isRunning(moved.pid)) {
        // We moved a fresh lock of a live writer that won the race: give it back.
        await link(aside, path).catch(() => undefined);
        await unlink(aside).catch(() => undefined);
        throw locked(dir, moved.pid);
      }
      await unlink(aside).catch(() => undefined);
    }
    throw new HftError('HFT_ERR_STORE_LOCKED', `store ${dir}: could not take the writer lock ${path} after 5 attempts (another process keeps replacing it)`, { dir });
  }

  /** Removes the lock if it is still ours. */
  async release(): Promise<void> {
    const holder = await readPid(this.path);
    if (holder?.pid === this.pid) await unlink(this.path).catch(() => undefined);
  }
}

async function readPid(path: string): Promise<{ pid: number | undefined } | undefined> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return { pid: /^\d+$/.test(text) ? Number(text) : undefined };
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    throw e;
  }
}

function locked(dir: string, pid: number): HftError {
  return new HftError('HFT_ERR_STORE_LOCKED', `store ${dir} already has a writer: process ${pid} holds ${join(dir, LOCK_FILE)} (open read-only, or stop that process)`, { dir, pid });
}
