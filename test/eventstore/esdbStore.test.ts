/**
 * The EventStoreDB adapter as the CLI opens it, with no server (none can run on these machines): the
 * store URI schemes, and the real gRPC client failing to reach a closed port reported as our error.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isHftError } from '../../src/core/errors.ts';
import { openStore, parseStoreUri } from '../../src/cli/store.ts';

describe('esdb store URIs', () => {
  it('accepts esdb:// and esdb+discover:// with a host and hands the whole string to the client', () => {
    expect(parseStoreUri('esdb://127.0.0.1:2113?tls=false')).toEqual({ scheme: 'esdb', connectionString: 'esdb://127.0.0.1:2113?tls=false' });
    expect(parseStoreUri('esdb+discover://admin:changeit@cluster.local:2113')).toEqual({ scheme: 'esdb', connectionString: 'esdb+discover://admin:changeit@cluster.local:2113' });
  });

  it('refuses a URI with no host, listing the valid schemes and hiding the password', () => {
    let err: unknown;
    try { parseStoreUri('esdb://?tls=false'); } catch (e) { err = e; }
    expect(isHftError(err, 'HFT_ERR_STORE_URI')).toBe(true);
    expect((err as Error).message).toContain('needs a host, e.g. esdb://127.0.0.1:2113?tls=false');
    expect((err as Error).message).toContain('esdb+discover://<host>:2113[?tls=false]');
  });

  it('opening a port where nothing listens fails with HFT_ERR_STORE_UNREACHABLE from the real client', async () => {
    // A port that was free a moment ago: bind, read the number, release.
    const port = await new Promise<number>((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
    const err = await openStore(`esdb://127.0.0.1:${port}?tls=false&defaultDeadline=3000`).catch((e: unknown) => e);
    expect(isHftError(err, 'HFT_ERR_STORE_UNREACHABLE')).toBe(true);
    expect((err as Error).message).toMatch(/^HFT_ERR_STORE_UNREACHABLE: EventStoreDB: /);
  }, 30_000);
});
