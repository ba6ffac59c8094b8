/** `hft serve`: REST API, operator actions, event WebSocket and the live dashboard over a store. */
import { HftError } from '../../core/errors.ts';
import { wallClockUs } from '../../engine/live/wallClock.ts';
import { pgConn } from '../../projections/SqlConn.ts';
import { intFlag, parseFlags, type Command } from '../command.ts';
import { controlWriter } from '../server/controlStore.ts';
import { createServer } from '../server/createServer.ts';
import { EventHub } from '../server/EventHub.ts';
import { EventLogControl } from '../server/EventLogControl.ts';
import { MemoryRunReadModels } from '../server/MemoryRunReadModels.ts';
import type { RunReadModels } from '../server/RunReadModels.ts';
import { SqlRunReadModels } from '../server/SqlRunReadModels.ts';
import { parseTokens } from '../server/tokens.ts';
import { DEFAULT_STORE_URI, openStore } from '../store.ts';
import { connectReadModels, DEFAULT_PROJECTION_SCHEMA } from './project.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the REST API, operator actions, a live event WebSocket and the dashboard',
  help: [
    'usage: HFT_TOKENS=<token>:<role>,... hft serve [--store <uri>] [--pg <url>] [--schema <name>] [--port 8080] [--host 127.0.0.1]',
    '',
    'REST over the read models (runs, orders with their timelines, fills, positions, P&L, denials, risk),',
    'operator actions (cancel an order, cancel all, kill switch: trader role; 202 once the command is in',
    'the run\'s control stream control-<runId>, which the paper/live session follows; a run that is not',
    'live answers 409; file stores keep the commands in <dir>.control), /api/runs/<id>/ws pushing the',
    'run\'s events as they are appended, and the dashboard at /dashboard. Read models are folded in',
    'memory from the store unless --pg names PostgreSQL read models kept by `hft project`.',
    '',
    'HFT_TOKENS (environment, required): comma-separated <token>:<role>, role viewer (read) or trader',
    '(read and act), tokens of at least 16 characters. Clients send Authorization: Bearer <token>.',
    '',
    'options:',
    `  --store <uri>    event store (default ${DEFAULT_STORE_URI}); opened read-only`,
    '  --pg <url>       read models in PostgreSQL instead of memory',
    `  --schema <name>  schema of the PostgreSQL read models (default ${DEFAULT_PROJECTION_SCHEMA})`,
    '  --port <n>       TCP port (default 8080; 0 = any free port)',
    '  --host <addr>    listen address (default 127.0.0.1; 0.0.0.0 exposes the API to the network)',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { store: { type: 'string' }, pg: { type: 'string' }, schema: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } });
    if (positionals.length > 0) throw new HftError('HFT_ERR_USAGE', `hft serve takes no positional arguments, got ${positionals.join(' ')}`);
    const tokens = parseTokens(io.env.HFT_TOKENS);
    const port = intFlag('port', values.port, 8080);
    if (port > 65535) throw new HftError('HFT_ERR_USAGE', `--port must be at most 65535, got ${port}`);
    const host = values.host ?? '127.0.0.1';
    const storeUri = values.store ?? DEFAULT_STORE_URI;
    const store = await openStore(storeUri, { cwd: io.cwd, readOnly: true });
    let readModels: RunReadModels;
    let hub: EventHub;
    if (values.pg !== undefined) {
      const client = await connectReadModels(values.pg);
      readModels = new SqlRunReadModels(pgConn(client), values.schema ?? DEFAULT_PROJECTION_SCHEMA, 'read-models', () => client.end());
      hub = EventHub.start(store, (await store.headPosition()) + 1);
    } else {
      hub = EventHub.start(store, 0);
      readModels = await MemoryRunReadModels.follow(hub);
    }
    const app = await createServer({ hub, readModels, tokens, control: new EventLogControl({ readModels, writer: controlWriter(storeUri, io.cwd, store), clockUs: wallClockUs() }) });
    const address = await app.listen({ host, port });
    io.out(`hft serve: ${address}/dashboard  (API ${address}/api/runs, read models: ${readModels.source}, ${tokens.entries.length} token(s))`);
    await new Promise<void>((resolve) => {
      const stop = (): void => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
      process.on('SIGINT', stop); process.on('SIGTERM', stop);
    });
    await app.close();
    await readModels.close();
    await hub.close();
    await store.close();
    return 0;
  },
};
