/** `hft promote <paperRunId>`: records that a paper run's strategy + risk configuration may go live. */
import { performance } from 'node:perf_hooks';
import { HftError } from '../../core/errors.ts';
import type { EventStore } from '../../eventstore/port.ts';
import { collect } from '../../eventstore/port.ts';
import type { EventData, EventEnvelope, NewEvent } from '../../model/events.ts';
import { parseRiskConfig } from '../../risk/RiskConfig.ts';
import { parseFlags, type Command } from '../command.ts';
import { DEFAULT_STORE_URI, openStore } from '../store.ts';
import { parityOfRun, printParity } from './parity.ts';

export const PROMOTIONS_STREAM = 'promotions';

/** Limits that must be set for a run to go live (a promotion without them is refused). */
const REQUIRED_LIMITS = ['maxOrderNotional', 'maxPositionNotional', 'maxOpenOrders', 'dailyLossLimit'];

export async function findPromotion(store: EventStore, strategyHash: string): Promise<EventEnvelope<'run.promoted'> | undefined> {
  if ((await store.streamRevision(PROMOTIONS_STREAM)) < 0) return undefined;
  const all = await collect(store.readStream(PROMOTIONS_STREAM));
  return all.find((e) => e.type === 'run.promoted' && (e.data as EventData<'run.promoted'>).strategyHash === strategyHash) as EventEnvelope<'run.promoted'> | undefined;
}

export const promoteCommand: Command = {
  name: 'promote',
  summary: 'promote a paper run to live: only at 100% parity and with risk limits configured',
  help: [
    'usage: hft promote <paperRunId> [--store <uri>]',
    '',
    'Runs `hft parity` on the paper run; appends run.promoted (strategy hash, config hash, risk limits)',
    `to stream '${PROMOTIONS_STREAM}' only when decisions and orders match 100% and the scenario's risk`,
    `limits include ${REQUIRED_LIMITS.join(', ')}. \`hft live\` refuses a strategy configuration without one.`,
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { store: { type: 'string' } });
    if (positionals.length !== 1) throw new HftError('HFT_ERR_USAGE', 'expected one paper run id');
    const runId = positionals[0]!;
    const storeUri = values.store ?? DEFAULT_STORE_URI;
    const r = await parityOfRun(runId, storeUri, io);
    printParity(io, r);
    if (r.crashed) throw new HftError('HFT_ERR_PARITY', `run '${runId}' is not promoted: the session did not stop cleanly (checked only up to its last sealed roll, ${r.crashed.eventsAfterCut} run events after it); promote a run that stopped cleanly`);
    if (!r.ok || r.matchRate !== 1) throw new HftError('HFT_ERR_PARITY', `run '${runId}' is not promoted: parity ${(r.matchRate * 100).toFixed(2)}% (needs 100% and identical events)`);
    if (r.decisionsAndOrders.recorded === 0) throw new HftError('HFT_ERR_PARITY', `run '${runId}' is not promoted: the session made no decision or order, nothing was verified`);
    const missing = REQUIRED_LIMITS.filter((k) => r.riskLimits[k] === undefined);
    if (missing.length > 0) throw new HftError('HFT_ERR_CONFIG', `run '${runId}' is not promoted: risk limits not configured: ${missing.join(', ')}`);
    parseRiskConfig(r.riskLimits, `run ${runId}: risk`);
    const store = await openStore(storeUri, { cwd: io.cwd });
    try {
      const nowUs = Math.floor((performance.timeOrigin + performance.now()) * 1000);
      const data: EventData<'run.promoted'> = { paperRunId: runId, strategyHash: r.strategyHash, configHash: r.configHash, compared: r.compared, matchRate: r.matchRate, riskLimits: r.riskLimits };
      const id = `${runId}-promoted-${(await store.streamRevision(PROMOTIONS_STREAM)) + 1}`;
      const e: NewEvent<'run.promoted'> = { id, type: 'run.promoted', version: 1, tsEvent: nowUs, tsRecv: nowUs, runId, correlationId: id, causationId: id, data };
      await store.append(PROMOTIONS_STREAM, [e], { expectedRevision: 'any' });
    } finally { await store.close(); }
    io.out(`promoted: strategy ${r.strategyHash.slice(0, 16)}… (paper run ${runId}) may go live`);
    return 0;
  },
};
