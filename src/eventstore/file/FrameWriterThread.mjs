/**
 * The file store's writer thread (plain JavaScript: a worker is started without the TypeScript
 * loader). For a large frame it runs finishFrame (finishFrame.mjs, the same code the main thread runs
 * for a small one: every record's CRC-32, the chain hash, the header CRC), then writes the frame at its
 * offset and, when the store syncs every append, fdatasyncs the file right after the write: the store's
 * main thread runs a backtest kernel in long synchronous steps, and a reply it can only read after a
 * step, followed by a separate fdatasync whose completion waits for the next step, made every append
 * take two steps (the appends are ordered, so the kernel waited on them: ~0.9 s at 10M rows).
 *
 * Why a thread: a backtest appends frames of 4096 events (~2 MB); their checksums, hash and the copy
 * into the page cache took ~0.6 s of the main thread per 600k events, time the kernel now keeps.
 *
 * Message in: { id, fd, at, buffer (transferred), byteOffset, frameBytes, prevHash, sync }.
 * Message out: { id, buffer (transferred back) } or { id, buffer, error: { message, code, stage } } with
 * stage 'write' (nothing durable; the store truncates) or 'sync' (written, fdatasync failed: the store
 * stops); the hash is in the frame (bytes 32..64).
 */
import { fdatasyncSync, writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { finishFrame } from './finishFrame.mjs';

parentPort.on('message', (m) => {
  const b = Buffer.from(m.buffer, m.byteOffset, m.frameBytes);
  try {
    finishFrame(b, m.frameBytes, m.prevHash);
    let written = 0;
    while (written < m.frameBytes) written += writeSync(m.fd, b, written, m.frameBytes - written, m.at + written);
  } catch (e) {
    parentPort.postMessage({ id: m.id, buffer: m.buffer, error: { message: String(e?.message ?? e), code: e?.code, stage: 'write' } }, [m.buffer]);
    return;
  }
  try {
    if (m.sync) fdatasyncSync(m.fd);
  } catch (e) {
    parentPort.postMessage({ id: m.id, buffer: m.buffer, error: { message: String(e?.message ?? e), code: e?.code, stage: 'sync' } }, [m.buffer]);
    return;
  }
  parentPort.postMessage({ id: m.id, buffer: m.buffer }, [m.buffer]);
});
