/** The file store's writer thread: what a failed write and a failed fdatasync come back as. */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameEncoder, GENESIS_HASH, finishFrame } from '../../src/eventstore/file/FileEventStoreInternals.ts';
import { FrameSyncError, FrameWriter } from '../../src/eventstore/file/FrameWriter.ts';
import type { NewEvent } from '../../src/model/events.ts';

const events: NewEvent[] = Array.from({ length: 3 }, (_, n) => ({
  id: `run-w-${n}`, type: 'order.canceled', version: 1, tsEvent: 1_723_161_600_000_000 + n, tsRecv: 1_723_161_600_000_007 + n,
  runId: 'run-w', correlationId: `run-w-${n}`, causationId: `run-w-${n}`, data: { clientOrderId: `c${n}`, reason: 'user' },
}));

/** A frame encoded into a buffer of its own (the writer takes the buffer over). */
function encoded(): { buf: Buffer; frameBytes: number } {
  const enc = new FrameEncoder();
  const frame = enc.encode('w', 0, 0, events);
  return { buf: enc.buffer, frameBytes: frame.length };
}

describe('FrameWriter', () => {
  let dir = '';
  const writer = new FrameWriter();
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'hft-frame-writer-')); });
  afterAll(async () => { await writer.close(); await rm(dir, { recursive: true, force: true }); });

  it('writes the same finished frame as the caller\'s thread would, and hands the buffer back', async () => {
    const path = join(dir, 'seg');
    const fd = openSync(path, 'w+');
    try {
      const { buf, frameBytes } = encoded();
      const back = await writer.write(fd, 0, buf, frameBytes, GENESIS_HASH, true);
      expect(buf.length).toBe(0); // handed over: the caller's view is detached
      const here = encoded();
      finishFrame(here.buf, here.frameBytes, GENESIS_HASH);
      expect(readFileSync(path).equals(here.buf.subarray(0, here.frameBytes))).toBe(true);
      expect(back.subarray(0, frameBytes).equals(here.buf.subarray(0, here.frameBytes))).toBe(true);
    } finally { closeSync(fd); }
  });

  it('rejects a failed write with the error of the write (not a sync failure)', async () => {
    const path = join(dir, 'read-only');
    closeSync(openSync(path, 'w'));
    const fd = openSync(path, 'r');
    try {
      const { buf, frameBytes } = encoded();
      const e = await writer.write(fd, 0, buf, frameBytes, GENESIS_HASH, true).then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(Error);
      expect(e).not.toBeInstanceOf(FrameSyncError);
      expect((e as { code?: string }).code).toBe('EBADF');
    } finally { closeSync(fd); }
  });

  it('rejects a written frame whose fdatasync fails with FrameSyncError (the store must stop)', async () => {
    // /dev/null takes the write and refuses fdatasync (EINVAL).
    const fd = openSync('/dev/null', 'r+');
    try {
      const { buf, frameBytes } = encoded();
      const e = await writer.write(fd, 0, buf, frameBytes, GENESIS_HASH, true).then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(FrameSyncError);
      expect((e as { code?: string }).code).toBe('EINVAL');
      // Without sync the same write succeeds.
      const again = encoded();
      await expect(writer.write(fd, 0, again.buf, again.frameBytes, GENESIS_HASH, false)).resolves.toBeInstanceOf(Buffer);
    } finally { closeSync(fd); }
  });
});
