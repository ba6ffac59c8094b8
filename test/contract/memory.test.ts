import { MemoryEventStore } from '../../src/eventstore/memory/MemoryEventStore.ts';
import { eventStoreContract } from './eventstore.ts';

eventStoreContract('memory', async () => {
  const store = new MemoryEventStore();
  return { store, cleanup: () => store.close() };
}, { appendsInIssueOrder: true });
