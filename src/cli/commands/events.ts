/** `hft events`: inspect the log, one line per event. */
import { HftError } from '../../core/errors.ts';
import { isoFromUs } from '../../core/time.ts';
import type { EventEnvelope } from '../../model/events.ts';
import { intFlag, parseFlags, type Command } from '../command.ts';
import { DEFAULT_STORE_URI, openStore } from '../store.ts';

export const eventsCommand: Command = {
  name: 'events',
  summary: 'print events of a store (all, one stream, or one type)',
  help: [
    'usage: hft events [--store <uri>] [--stream <id>] [--type <type>]... [--from <position>] [--limit <n>] [--json]',
    '',
    'Prints events in log order: position, stream@revision, event time (ISO, µs), type, id and data.',
    'Opens a file store read-only, so it works beside a running writer.',
    '',
    'options:',
    `  --store <uri>      memory: | file:<dir>   (default ${DEFAULT_STORE_URI})`,
    '  --stream <id>      only this stream, in revision order',
    '  --type <type>      only events of this type (repeatable)',
    '  --from <position>  start at this global position (without --stream)',
    '  --limit <n>        at most n events',
    '  --json             one JSON envelope per line instead of the table',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      store: { type: 'string' }, stream: { type: 'string' }, type: { type: 'string', multiple: true },
      from: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' },
    }, false);
    const limit = intFlag('limit', values.limit, Infinity);
    const from = intFlag('from', values.from, 0);
    if (values.stream !== undefined && values.from !== undefined) throw new HftError('HFT_ERR_USAGE', '--from is a global position and cannot be combined with --stream');
    const types = values.type && values.type.length > 0 ? new Set(values.type) : undefined;
    const store = await openStore(values.store ?? DEFAULT_STORE_URI, { cwd: io.cwd, readOnly: true });
    try {
      const source = values.stream !== undefined
        ? store.readStream(values.stream)
        : store.readAll({ fromPosition: from, ...(types ? { types: [...types] } : {}) });
      let printed = 0;
      outer: for await (const batch of source) {
        for (const e of batch) {
          if (printed >= limit) break outer;
          if (types && !types.has(e.type)) continue;
          io.out(values.json ? JSON.stringify(e) : line(e));
          printed++;
        }
      }
      if (!values.json) io.err(`${printed} event(s)`);
      return 0;
    } finally {
      await store.close();
    }
  },
};

function line(e: EventEnvelope): string {
  const data = JSON.stringify(e.data);
  return `${String(e.position).padStart(8)}  ${`${e.streamId}@${e.revision}`.padEnd(24)}  ${isoFromUs(e.tsEvent)}  ${e.type.padEnd(22)}  ${e.id}  ${data.length > 120 ? `${data.slice(0, 117)}...` : data}`;
}
