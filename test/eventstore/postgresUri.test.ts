import { describe, expect, it } from 'vitest';
import { isHftError } from '../../src/core/errors.ts';
import { PostgresEventStore, redactUri } from '../../src/eventstore/postgres/PostgresEventStore.ts';
import { parseStoreUri } from '../../src/cli/store.ts';

describe('PostgreSQL store URIs', () => {
  it('fails fast on an unreachable server, naming the URI without its password and the reason', async () => {
    const t0 = performance.now();
    const err = await PostgresEventStore.open('postgres://trader:s3cret-pw@127.0.0.1:1/hft').catch((e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(isHftError(err, 'HFT_ERR_STORE_UNREACHABLE')).toBe(true);
    const msg = (err as Error).message;
    expect(msg).toContain('postgres://trader:***@127.0.0.1:1/hft');
    expect(msg).toContain('ECONNREFUSED');
    expect(msg).not.toContain('s3cret-pw');
  });

  it('redacts passwords and leaves password-less URIs alone', () => {
    expect(redactUri('postgresql://u:p%40ss@db.example:5432/x?sslmode=require')).toBe('postgresql://u:***@db.example:5432/x?sslmode=require');
    expect(redactUri('postgres://postgres@127.0.0.1/test')).toBe('postgres://postgres@127.0.0.1/test');
  });

  it('parses postgres:// and postgresql:// with an optional schema, and refuses a bad schema name', () => {
    expect(parseStoreUri('postgres://postgres@127.0.0.1:5432/test?schema=run_a')).toEqual({ scheme: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/test', schema: 'run_a' });
    expect(parseStoreUri('postgresql://postgres@127.0.0.1/test')).toEqual({ scheme: 'postgres', url: 'postgresql://postgres@127.0.0.1/test', schema: 'hft' });
    expect(() => parseStoreUri('postgres://u:pw@h/db?schema=x;drop')).toThrow(/schema 'x;drop'.*\[a-z_\]/);
    try { parseStoreUri('postgres://u:pw@h/db?schema=Bad'); } catch (e) { expect((e as Error).message).not.toContain(':pw@'); }
  });
});
