/**
 * Tamper evidence through the real CLI: edit or delete bytes of a segment, run `hft verify`, and it
 * must exit non-zero naming the segment file and the byte offset of the damaged frame. Frame offsets
 * come from the file sizes after each append, not from the store's code.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import type { NewEvent } from '../../src/model/events.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SEG = 'segment-00000001.log';

function hftVerify(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, ['src/cli/hft.mjs', 'verify', '--store', `file:${dir}`], { cwd: ROOT }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const fill = (n: number, stream: string): NewEvent<'order.requested'> => ({
  id: `run-x-${stream}-${n}`, type: 'order.requested', version: 1, tsEvent: 1_723_161_600_000_000 + n, tsRecv: 1_723_161_600_000_100 + n,
  runId: 'run-x', correlationId: `run-x-${n}`, causationId: `run-x-${n}`,
  data: { clientOrderId: `c${n}`, strategyId: 'mm', instrument: 'binance:BTCUSDT', side: n % 2 ? 'buy' : 'sell', type: 'limit', timeInForce: 'GTC', priceTicks: 6_183_763 + n, sizeLots: 200 + n, reduceOnly: false, tag: 'quote' },
});

// Each test starts the real CLI (tsx start-up: ~1 s quiet, several seconds on a loaded machine).
describe('hft verify on a tampered store', { timeout: 60_000 }, () => {
  let dir = '';
  let segPath = '';
  /** Byte offsets where frames 1, 2, 3 start and where the file ends. */
  let frameStart: number[] = [];
  let headHash = '';

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hft-tamper-'));
    segPath = join(dir, SEG);
    const store = await FileEventStore.open(dir);
    frameStart = [0];
    for (const [b, stream] of ['orders', 'fills', 'orders'].entries()) {
      await store.append(stream, Array.from({ length: 10 }, (_, i) => fill(b * 10 + i, stream)));
      frameStart.push((await stat(segPath)).size);
    }
    headHash = store.headHash();
    await store.close();
  });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  const expectNamed = async (offset: number, why: RegExp): Promise<void> => {
    const r = await hftVerify(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`HFT_ERR_STORE_CORRUPT: ${SEG} at byte offset ${offset}:`);
    expect(r.stderr).toMatch(why);
  };

  it('passes an untouched store, printing 30 events, 2 streams and the head hash', async () => {
    const r = await hftVerify(dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/events\s+30\n/);
    expect(r.stdout).toMatch(/streams\s+2\n/);
    expect(r.stdout).toContain(`head     ${headHash}`);
  });

  it('names the frame when one byte of a record in the middle of the log is flipped', async () => {
    const bytes = await readFile(segPath);
    const at = frameStart[1]! + Math.floor((frameStart[2]! - frameStart[1]!) * 0.6);
    bytes[at] = bytes[at]! ^ 0x01;
    await writeFile(segPath, bytes);
    await expectNamed(frameStart[1]!, /record \d+ of 10 checksum mismatch/);
  });

  it('names the frame when one byte of a frame header is flipped', async () => {
    const bytes = await readFile(segPath);
    bytes[frameStart[1]! + 8] = bytes[frameStart[1]! + 8]! ^ 0x04; // the event count
    await writeFile(segPath, bytes);
    await expectNamed(frameStart[1]!, /frame header checksum mismatch/);
  });

  it('names the frame when one byte of the last record of the last frame is flipped', async () => {
    const bytes = await readFile(segPath);
    bytes[frameStart[3]! - 2] = bytes[frameStart[3]! - 2]! ^ 0x20;
    await writeFile(segPath, bytes);
    await expectNamed(frameStart[2]!, /record 9 of 10 checksum mismatch/);
  });

  it('names the frame when one record is deleted from it', async () => {
    const bytes = await readFile(segPath);
    // Documented layout: 68-byte header, the stream id ('fills', 5 bytes), then u32 length + u32 CRC + JSON per record.
    const rec = frameStart[1]! + 68 + 5;
    const len = bytes.readUInt32LE(rec);
    expect(bytes.subarray(rec + 8, rec + 8 + len).toString('utf8')).toContain('"id":"run-x-fills-10"');
    await writeFile(segPath, Buffer.concat([bytes.subarray(0, rec), bytes.subarray(rec + 8 + len)]));
    await expectNamed(frameStart[1]!, /runs past the frame end|checksum mismatch|bytes after/);
  });

  it('names the place when a whole batch is deleted (the chain no longer links)', async () => {
    const bytes = await readFile(segPath);
    await writeFile(segPath, Buffer.concat([bytes.subarray(0, frameStart[1]!), bytes.subarray(frameStart[2]!)]));
    await expectNamed(frameStart[1]!, /expected 10|hash chain mismatch/);
  });

  it('fails on an incomplete last frame, naming where it starts', async () => {
    const bytes = await readFile(segPath);
    await writeFile(segPath, bytes.subarray(0, frameStart[3]! - 100));
    await expectNamed(frameStart[2]!, /incomplete last frame \(\d+ bytes/);
  });
});
