/**
 * `hft latency-profile <runId>`: the request/venue/response rows a live run recorded
 * (`order.request-acked`), as the table sim/InterpolatedLatency takes (`requestUs,venueUs,responseUs`;
 * venueUs 0 = the venue rejected it without processing). Ambiguous requests (no answer) have no
 * round trip and are left out.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HftError } from '../../core/errors.ts';
import { collect } from '../../eventstore/port.ts';
import type { EventData } from '../../model/events.ts';
import type { LatencyRow } from '../../sim/InterpolatedLatency.ts';
import { parseFlags, type CliIO, type Command } from '../command.ts';
import { DEFAULT_STORE_URI, openStore } from '../store.ts';

export async function latencyRowsOf(runId: string, storeUri: string, io: CliIO, action = 'place'): Promise<LatencyRow[]> {
  const store = await openStore(storeUri, { cwd: io.cwd, readOnly: true });
  try {
    const events = await collect(store.readStream(`run-${runId}`));
    if (events.length === 0) throw new HftError('HFT_ERR_NOT_FOUND', `run '${runId}' not found in ${storeUri}`);
    return events.filter((e) => e.type === 'order.request-acked')
      .map((e) => e.data as EventData<'order.request-acked'>)
      .filter((d) => d.action === action && !d.outcome.startsWith('ambiguous'))
      .map((d) => ({ requestUs: d.requestUs, venueUs: d.outcome === 'ok' ? d.venueUs : 0, responseUs: d.responseUs }));
  } finally { await store.close(); }
}

export const latencyProfileCommand: Command = {
  name: 'latency-profile',
  summary: 'export a live run\'s recorded order latencies as the simulated venue\'s interpolation table',
  help: [
    'usage: hft latency-profile <runId> [--out file.csv] [--action place|cancel] [--store <uri>]',
    '',
    'Rows `requestUs,venueUs,responseUs` (µs since the epoch) from the run\'s order.request-acked events;',
    'feed them to a scenario with venue.latency {"model":"recorded","file":...}. Prints p50/p99 round trips.',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { out: { type: 'string' }, action: { type: 'string' }, store: { type: 'string' } });
    if (positionals.length !== 1) throw new HftError('HFT_ERR_USAGE', 'expected one run id');
    const rows = await latencyRowsOf(positionals[0]!, values.store ?? DEFAULT_STORE_URI, io, values.action ?? 'place');
    const csv = ['requestUs,venueUs,responseUs', ...rows.map((r) => `${r.requestUs},${r.venueUs},${r.responseUs}`)].join('\n') + '\n';
    if (values.out) writeFileSync(resolve(io.cwd, values.out), csv); else io.out(csv.trimEnd());
    const rtt = rows.map((r) => r.responseUs - r.requestUs).sort((a, b) => a - b);
    const q = (p: number): number => rtt[Math.min(rtt.length - 1, Math.floor(p * rtt.length))] ?? 0;
    io.err(`${rows.length} rows; round trip p50 ${q(0.5)} µs, p99 ${q(0.99)} µs`);
    return 0;
  },
};
