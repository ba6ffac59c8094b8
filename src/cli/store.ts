/**
 * Store URIs: the one place that turns `--store <uri>` into a concrete EventStore adapter.
 *
 *   memory:        in-process, lost at exit
 *   file:<dir>     embedded default; relative dirs resolve against the working directory
 *   postgres://user:pass@host:port/db[?schema=hft]   (also postgresql://) PostgreSQL event store
 *   esdb://host:2113[?tls=false]   (also esdb+discover:// for cluster gossip) EventStoreDB / KurrentDB
 *
 * A new adapter (postgres://, esdb://) is one more entry in SCHEMES.
 */
import { isAbsolute, resolve } from 'node:path';
import { HftError } from '../core/errors.ts';
import type { EventStore } from '../eventstore/port.ts';
import { FileEventStore } from '../eventstore/file/FileEventStore.ts';
import { MemoryEventStore } from '../eventstore/memory/MemoryEventStore.ts';
import { redactUri } from '../core/redactUri.ts';

export const DEFAULT_STORE_URI = 'file:.hft/store';

export interface OpenStoreOptions {
  /** Base for relative `file:` paths; default the process working directory. */
  readonly cwd?: string;
  /** Open without taking the writer lock (inspection verbs). */
  readonly readOnly?: boolean;
  /** File store fsync policy; default 'always'. */
  readonly fsync?: 'always' | 'never';
}

export type StoreLocation =
  | { readonly scheme: 'memory' }
  | { readonly scheme: 'file'; readonly dir: string }
  | { readonly scheme: 'postgres'; readonly url: string; readonly schema: string }
  | { readonly scheme: 'esdb'; readonly connectionString: string };

interface Scheme {
  readonly prefix: string;
  readonly example: string;
  parse(rest: string, uri: string, cwd: string): StoreLocation;
}

const SCHEMES: readonly Scheme[] = [
  {
    prefix: 'memory:', example: 'memory:',
    parse(rest, uri) {
      if (rest !== '') throw badUri(uri, "'memory:' takes nothing after the colon");
      return { scheme: 'memory' };
    },
  },
  {
    prefix: 'file:', example: 'file:<dir>',
    parse(rest, uri, cwd) {
      // Accept file:///abs/dir too (the URL form) as well as file:rel/dir and file:/abs/dir.
      const path = rest.startsWith('//') ? rest.slice(2) : rest;
      if (path === '') throw badUri(uri, "'file:' needs a directory, e.g. file:.hft/store");
      return { scheme: 'file', dir: isAbsolute(path) ? path : resolve(cwd, path) };
    },
  },
  ...['postgres://', 'postgresql://'].map((prefix): Scheme => ({
    prefix, example: `${prefix}<user>@<host>/<db>[?schema=hft]`,
    parse(_rest, uri) { return parsePostgresUri(uri); },
  })),
  ...['esdb://', 'esdb+discover://'].map((prefix): Scheme => ({
    prefix, example: `${prefix}<host>:2113[?tls=false]`,
    parse(rest, uri) {
      // The client parses the rest (hosts, tls, credentials, timeouts); we only insist on a host.
      if (rest === '' || rest.startsWith('/') || rest.startsWith('?')) throw badUri(redactUri(uri), `needs a host, e.g. ${prefix}127.0.0.1:2113?tls=false`);
      return { scheme: 'esdb', connectionString: uri };
    },
  })),
];

/** Splits our `schema` parameter off a PostgreSQL URI; everything else goes to `pg` unchanged. */
function parsePostgresUri(uri: string): StoreLocation {
  let u: URL;
  try { u = new URL(uri); } catch { throw badUri(redactUri(uri), 'not a valid URL'); }
  if (u.hostname === '' && !u.searchParams.has('host')) throw badUri(redactUri(uri), 'needs a host, e.g. postgres://postgres@127.0.0.1:5432/hft');
  const schema = u.searchParams.get('schema') ?? 'hft';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw badUri(redactUri(uri), `schema '${schema}' must match [a-z_][a-z0-9_]*`);
  u.searchParams.delete('schema');
  return { scheme: 'postgres', url: u.toString(), schema };
}

function badUri(uri: string, why: string): HftError {
  return new HftError('HFT_ERR_STORE_URI', `store URI '${uri}': ${why}. Valid store URIs: ${SCHEMES.map((s) => s.example).join(', ')} (default ${DEFAULT_STORE_URI})`, { uri });
}

/** Validates a store URI and says where it points, without opening anything. */
export function parseStoreUri(uri: string, cwd: string = process.cwd()): StoreLocation {
  const scheme = SCHEMES.find((s) => uri.startsWith(s.prefix));
  if (!scheme) throw badUri(uri, 'unknown scheme');
  return scheme.parse(uri.slice(scheme.prefix.length), uri, cwd);
}

/** Opens the store a URI names (`DEFAULT_STORE_URI` when undefined). */
export async function openStore(uri: string = DEFAULT_STORE_URI, opts: OpenStoreOptions = {}): Promise<EventStore> {
  const loc = parseStoreUri(uri, opts.cwd ?? process.cwd());
  switch (loc.scheme) {
    case 'memory': return new MemoryEventStore();
    case 'file': return FileEventStore.open(loc.dir, { readOnly: opts.readOnly ?? false, fsync: opts.fsync ?? 'always' });
    // Loaded when asked for: a backtest on the file store does not pay for the pg and EventStoreDB clients.
    case 'postgres': return (await import('../eventstore/postgres/PostgresEventStore.ts')).PostgresEventStore.open(loc.url, { schema: loc.schema });
    case 'esdb': return (await import('../eventstore/esdb/EsdbEventStore.ts')).EsdbEventStore.open(loc.connectionString);
  }
}
