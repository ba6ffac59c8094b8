/**
 * The shared contract suite against a real EventStoreDB / KurrentDB, when ESDB_URL names one
 * (e.g. ESDB_URL='esdb://127.0.0.1:2113?tls=false'). No server can run on the team's machines (no
 * Docker, no network): without ESDB_URL this file says so loudly and reports the suite as skipped,
 * never as passed. Each test gets its own stream prefix, so one server holds every test's store.
 */
import { describe, it } from 'vitest';
import { EsdbEventStore } from '../../src/eventstore/esdb/EsdbEventStore.ts';
import { eventStoreContract } from './eventstore.ts';

const url = process.env.ESDB_URL;

if (!url) {
  console.warn(`\n${'!'.repeat(100)}\n!! EventStoreDB contract suite NOT RUN: set ESDB_URL (e.g. esdb://127.0.0.1:2113?tls=false) to run it against a server.\n!! Only the mapping layer is tested here (test/eventstore/esdb*.test.ts).\n${'!'.repeat(100)}\n`);
  describe.skip('EventStore contract: esdb (SKIPPED: no ESDB_URL, see the warning above)', () => { it('needs an EventStoreDB server', () => {}); });
} else {
  let n = 0;
  eventStoreContract('esdb', async () => {
    const streamPrefix = `hft-contract-${process.pid}-${Date.now().toString(36)}-${n++}/`;
    let current = await EsdbEventStore.open(url, { streamPrefix });
    return {
      get store() { return current; },
      reopen: async () => {
        await current.close();
        current = await EsdbEventStore.open(url, { streamPrefix });
        return current;
      },
      // The test's streams stay on the server under their unique prefix (a scavenge reclaims them).
      cleanup: async () => { await current.close(); },
    };
  }, { contiguousPositions: false, appendsInIssueOrder: false, timeoutMs: 60_000 });
}
