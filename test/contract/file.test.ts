import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import { eventStoreContract } from './eventstore.ts';

// Durable appends (the default policy) and small segments, so the contract also crosses segment rolls.
eventStoreContract('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hft-contract-'));
  let current = await FileEventStore.open(dir, { segmentBytes: 256 << 10 });
  return {
    get store() { return current; },
    reopen: async () => {
      await current.close();
      current = await FileEventStore.open(dir, { segmentBytes: 256 << 10 });
      return current;
    },
    cleanup: async () => {
      await current.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}, { appendsInIssueOrder: true });
