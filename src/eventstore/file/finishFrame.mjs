/**
 * The last step of encoding a frame, shared by the store's own thread (FileEventStoreInternals, small
 * frames) and its writer thread (FrameWriterThread.mjs, large frames): plain JavaScript, because the
 * writer thread starts without the TypeScript loader. Types in finishFrame.d.mts.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** Frame header: magic, length, event count, stream id length, positions, chain hash (32..64), header CRC (64). */
export const HEADER_BYTES = 68;
/** Per record: u32 length, u32 CRC-32 of the JSON. */
export const RECORD_HEADER_BYTES = 8;

/** SHA-256 over the previous frame's hash, the header's first 32 bytes and every record of the frame at b[start, end). */
export function frameHash(prevHash, b, start, end) {
  return createHash('sha256').update(prevHash).update(b.subarray(start, start + 32)).update(b.subarray(start + HEADER_BYTES, end)).digest();
}

/**
 * Completes an encoded frame in place: every record's CRC-32, the chain hash and the header CRC.
 * Returns the hash.
 */
export function finishFrame(b, frameBytes, prevHash) {
  let off = HEADER_BYTES + b.readUInt32LE(12);
  while (off < frameBytes) {
    const n = b.readUInt32LE(off);
    b.writeUInt32LE(crc32(new Uint8Array(b.buffer, b.byteOffset + off + RECORD_HEADER_BYTES, n)), off + 4);
    off += RECORD_HEADER_BYTES + n;
  }
  const hash = frameHash(prevHash, b, 0, frameBytes);
  hash.copy(b, 32);
  b.writeUInt32LE(crc32(b.subarray(0, 64)), 64);
  return hash;
}
