/**
 * Walks a whole file store without the writer lock: every frame header checksum, record checksum,
 * chain link, position and stream revision. Throws HFT_ERR_STORE_CORRUPT naming the segment file and
 * byte offset of the first bad frame.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { HftError } from '../../core/errors.ts';
import { GENESIS_HASH, corruptError, listSegments, segmentName } from './FileEventStoreInternals.ts';
import { SegmentScanner, type ScanState } from './SegmentScanner.ts';
import type { TornTail } from './FileEventStore.ts';

export interface VerifyResult {
  readonly events: number;
  readonly streams: number;
  /** SHA-256 chain value after the last frame, hex (64 zeros when empty): record it to detect a cut-off head later. */
  readonly headHash: string;
  readonly segments: number;
  readonly bytes: number;
  /** An incomplete last frame (an append cut short by a crash; a writer's open truncates it), else null. */
  readonly tornTail: TornTail | null;
}

export async function verifyStore(dir: string): Promise<VerifyResult> {
  const abs = resolve(dir);
  const st = await stat(abs).catch(() => undefined);
  if (!st?.isDirectory()) throw new HftError('HFT_ERR_NOT_FOUND', `store directory ${abs} does not exist`, { dir: abs });
  const segs = await listSegments(abs);
  const state: ScanState = { offset: 0, prevHash: GENESIS_HASH, nextPosition: 0, incomplete: null };
  const revisions = new Map<string, number>();
  let bytes = 0;
  for (const s of segs) {
    state.offset = 0;
    const name = segmentName(s);
    const scanner = new SegmentScanner(join(abs, name), name, state, s === segs.length);
    for await (const f of scanner.frames()) {
      const expected = (revisions.get(f.streamId) ?? -1) + 1;
      if (f.firstRevision !== expected) throw corruptError(name, f.offset, `stream '${f.streamId}' continues at revision ${f.firstRevision}, expected ${expected}`);
      revisions.set(f.streamId, expected + f.eventCount - 1);
    }
    bytes += state.offset;
  }
  const inc = state.incomplete;
  return {
    events: state.nextPosition,
    streams: revisions.size,
    headHash: state.prevHash.toString('hex'),
    segments: segs.length,
    bytes,
    tornTail: inc ? { segment: segmentName(segs.length), offset: inc.offset, bytes: inc.bytes } : null,
  };
}
