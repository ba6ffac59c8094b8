import { afterAll, beforeAll, describe, it } from 'vitest';
import { PostgresEventStore } from '../../src/eventstore/postgres/PostgresEventStore.ts';
import { dropSchema, horizonLock, PG_URL, postgresReachable, uniqueSchema } from '../eventstore/postgresTestDb.ts';
import { eventStoreContract } from './eventstore.ts';

const reachable = await postgresReachable();

if (!reachable) {
  describe.skip('EventStore contract: postgres (SKIPPED: no PostgreSQL server, see the warning above)', () => { it('needs PostgreSQL', () => {}); });
} else {
  let release: (() => Promise<void>) | undefined;
  beforeAll(async () => { release = await horizonLock('shared'); });
  afterAll(async () => { await release?.(); });

  // Positions are (transaction id, index) packed into a bigint: increasing, with gaps.
  eventStoreContract('postgres', async () => {
    const schema = uniqueSchema('contract');
    let current = await PostgresEventStore.open(PG_URL, { schema });
    return {
      get store() { return current; },
      reopen: async () => {
        await current.close();
        current = await PostgresEventStore.open(PG_URL, { schema });
        return current;
      },
      cleanup: async () => {
        await current.close();
        await dropSchema(schema);
      },
    };
  }, { contiguousPositions: false, timeoutMs: 60_000 });
}
