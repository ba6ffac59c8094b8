/**
 * Where a run's operator commands (stream control-<runId>) are appended and followed.
 *
 * PostgreSQL and EventStoreDB take many writers: the commands go into the run's own store, one log
 * with the run. A file store has exactly one writer, and while a session runs that is the session
 * (WriterLock), so `hft serve` cannot append to it: the commands go to a second file store beside it,
 * `<dir>.control`, whose writer is whoever appends a command (taken per command, released at once, so
 * several servers may act). The session follows that store read-only. `memory:` has no other process
 * to talk to: no control store.
 */
import { mkdir } from 'node:fs/promises';
import { HftError, isHftError } from '../../core/errors.ts';
import { FileEventStore } from '../../eventstore/file/FileEventStore.ts';
import type { EventStore } from '../../eventstore/port.ts';
import { parseStoreUri } from '../store.ts';

export const CONTROL_DIR_SUFFIX = '.control';

/** Runs `fn` with a store the control stream can be appended to; the store is only valid inside `fn`. */
export type ControlWriter = <T>(fn: (store: EventStore) => Promise<T>) => Promise<T>;

/** The control store directory of a file store URI; undefined when the run store itself takes the commands (or none can). */
export function controlDirOf(storeUri: string, cwd: string): string | undefined {
  const loc = parseStoreUri(storeUri, cwd);
  return loc.scheme === 'file' ? `${loc.dir.replace(/\/+$/, '')}${CONTROL_DIR_SUFFIX}` : undefined;
}

/**
 * The store a session follows for its commands: the run store itself, or (file) the control store
 * opened read-only (created when missing). `close` closes only what this opened.
 */
export async function openControlFollower(storeUri: string, cwd: string, runStore: EventStore): Promise<{ store: EventStore; close: () => Promise<void> } | undefined> {
  const loc = parseStoreUri(storeUri, cwd);
  if (loc.scheme === 'memory') return undefined;
  const dir = controlDirOf(storeUri, cwd);
  if (dir === undefined) return { store: runStore, close: async () => undefined };
  await mkdir(dir, { recursive: true });
  const store = await FileEventStore.open(dir, { readOnly: true });
  return { store, close: () => store.close() };
}

/**
 * The server's way to append commands: the run store itself (PostgreSQL, EventStoreDB), or the file
 * control store's writer lock taken per command (retried while another appender holds it, up to
 * `lockWaitMs`). Appends in this process are serialized, so they never contend with each other.
 */
export function controlWriter(storeUri: string, cwd: string, runStore: EventStore, lockWaitMs = 2000): ControlWriter {
  const loc = parseStoreUri(storeUri, cwd);
  if (loc.scheme === 'memory') {
    return async () => { throw new HftError('HFT_ERR_RUN_NOT_LIVE', `store ${storeUri} is in memory: a session in another process cannot receive operator commands`); };
  }
  const dir = controlDirOf(storeUri, cwd);
  if (dir === undefined) return (fn) => fn(runStore);
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(fn: (store: EventStore) => Promise<T>): Promise<T> => {
    const run = queue.then(async () => {
      const deadline = Date.now() + lockWaitMs;
      let store: FileEventStore;
      for (;;) {
        try { store = await FileEventStore.open(dir, { fsync: 'always' }); break; } catch (e) {
          if (!isHftError(e, 'HFT_ERR_STORE_LOCKED') || Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      try { return await fn(store); } finally { await store.close(); }
    });
    queue = run.catch(() => undefined);
    return run;
  };
}
