/**
 * On-disk format of the file event store, shared by the store, its scanner and `verifyStore`.
 *
 * A store directory holds `writer.lock` (PID of the one writer) and segment files
 * `segment-00000001.log`, `segment-00000002.log`, ... Each segment is a sequence of batch frames; one
 * frame is one `append` call (one stream), so a batch is durable or absent as a whole.
 *
 * Frame (little-endian):
 *   0  u32  magic 'HFTB'
 *   4  u32  frameBytes (whole frame, header included)
 *   8  u32  eventCount
 *   12 u32  streamIdBytes
 *   16 u64  firstPosition (two u32: low, high)
 *   24 u64  firstRevision (two u32: low, high)
 *   32 32B  hash = SHA-256(previous frame's hash || bytes 0..32 || bytes 68..frameBytes)
 *   64 u32  CRC-32 of bytes 0..64 (so a damaged length is never trusted)
 *   68      streamId (UTF-8), then eventCount records: u32 jsonBytes, u32 CRC-32 of the JSON, JSON
 *
 * The chain runs over frames and every record lies inside its frame's hash, so editing, inserting or
 * deleting any record changes every later hash. The first frame chains from 32 zero bytes.
 * JSON keys are written in one fixed order and no wall-clock value is added: identical appends give
 * byte-identical segments and the same head hash.
 */
import { upcast } from '../../model/events.ts';
import { readdir } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { HftError } from '../../core/errors.ts';
import type { EventEnvelope, NewEvent } from '../../model/events.ts';
import { HEADER_BYTES, RECORD_HEADER_BYTES, finishFrame, frameHash } from './finishFrame.mjs';

export { HEADER_BYTES, RECORD_HEADER_BYTES, finishFrame, frameHash };

export const FRAME_MAGIC = 0x42544648; // bytes 'H' 'F' 'T' 'B'
export const HASH_BYTES = 32;
export const GENESIS_HASH: Buffer = Buffer.alloc(HASH_BYTES);
export const LOCK_FILE = 'writer.lock';
export const SEGMENT_RE = /^segment-(\d{8})\.log$/;
export const segmentName = (n: number): string => `segment-${String(n).padStart(8, '0')}.log`;

const U32 = 0x1_0000_0000;

/**
 * Node's Buffer methods without argument normalization (public since Node 0.x, untyped): about half
 * the cost of `write(str, off, 'utf8')` / `toString('utf8', s, e)` per small record, measured.
 */
type FastBuffer = Buffer & { utf8Write(s: string, offset: number): number; utf8Slice(start: number, end: number): string };

/** A plain Uint8Array view: cheaper to make than Buffer#subarray for a per-record checksum call. */
const view = (b: Buffer, start: number, length: number): Uint8Array => new Uint8Array(b.buffer, b.byteOffset + start, length);

export interface FrameHeader {
  readonly frameBytes: number;
  readonly eventCount: number;
  readonly streamId: string;
  readonly firstPosition: number;
  readonly firstRevision: number;
  /** Offset of the first record, relative to the frame start. */
  readonly recordsStart: number;
}

export const corruptError = (segment: string, offset: number, reason: string): HftError =>
  new HftError('HFT_ERR_STORE_CORRUPT', `${segment} at byte offset ${offset}: ${reason}`, { segment, offset, reason });

function badInput(streamId: string, index: number, field: string, value: unknown, want: string): HftError {
  return new HftError('HFT_ERR_BAD_INPUT', `append to '${streamId}': event ${index} field '${field}' must be ${want}, got ${JSON.stringify(value) ?? String(value)}`, { streamId, index, field });
}

function checkEvent(streamId: string, i: number, e: NewEvent): void {
  if (typeof e.id !== 'string') throw badInput(streamId, i, 'id', e.id, 'a string');
  if (typeof e.type !== 'string' || e.type.length === 0) throw badInput(streamId, i, 'type', e.type, 'a non-empty string');
  if (!Number.isSafeInteger(e.version)) throw badInput(streamId, i, 'version', e.version, 'an integer');
  if (!Number.isSafeInteger(e.tsEvent)) throw badInput(streamId, i, 'tsEvent', e.tsEvent, 'integer microseconds');
  if (!Number.isSafeInteger(e.tsRecv)) throw badInput(streamId, i, 'tsRecv', e.tsRecv, 'integer microseconds');
  if (typeof e.runId !== 'string') throw badInput(streamId, i, 'runId', e.runId, 'a string');
  if (typeof e.correlationId !== 'string') throw badInput(streamId, i, 'correlationId', e.correlationId, 'a string');
  if (typeof e.causationId !== 'string') throw badInput(streamId, i, 'causationId', e.causationId, 'a string');
  if (e.data === undefined) throw badInput(streamId, i, 'data', e.data, 'a JSON value');
}

/** Builds frames (records without their checksums: see finishFrame) in one reused buffer: one write and one fdatasync per batch. */
export class FrameEncoder {
  /** Never from Buffer's shared pool: the buffer may be transferred to the writer thread. */
  private buf: Buffer = Buffer.allocUnsafeSlow(1 << 20);
  /** Per event type: the envelope text from its type to the revision's value, for one version and stream. */
  private readonly typeHeads = new Map<string, { version: number; streamIdJson: string; text: string }>();
  /** `,"runId":<run>,"correlationId":` of the last run id seen. */
  private lastRunId = ''; private lastRunHead = '';

  /** The returned frame aliases the encoder's buffer: finish and write it before the next call. */
  encode(streamId: string, firstRevision: number, firstPosition: number, events: readonly NewEvent[]): Buffer {
    let off = HEADER_BYTES;
    this.ensure(off + streamId.length * 3);
    const streamIdBytes = this.buf.write(streamId, off, 'utf8');
    const streamIdJson = JSON.stringify(streamId);
    off += streamIdBytes;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      checkEvent(streamId, i, e);
      // Fixed key order: this is what makes the bytes, and so the head hash, deterministic. Built by
      // concatenation (the same text JSON.stringify gives for that object: strings through
      // JSON.stringify, safe integers as decimal text) to skip one object and its key walk per event.
      // The envelope's strings are ids: JSON text without a call into JSON.stringify for each (a
      // correlation or causation equal to the id is the id's text). The runs of fixed text between
      // the per-event values are kept per type and per run id: fewer pieces to concatenate.
      const idJson = jsonString(e.id);
      let th = this.typeHeads.get(e.type);
      if (th === undefined || th.version !== e.version || th.streamIdJson !== streamIdJson) {
        th = { version: e.version, streamIdJson, text: `,"type":${jsonString(e.type)},"version":${e.version},"streamId":${streamIdJson},"revision":` };
        this.typeHeads.set(e.type, th);
      }
      if (e.runId !== this.lastRunId) { this.lastRunId = e.runId; this.lastRunHead = `,"runId":${jsonString(e.runId)},"correlationId":`; }
      const corrJson = e.correlationId === e.id ? idJson : jsonString(e.correlationId);
      const causeJson = e.causationId === e.id ? idJson : e.causationId === e.correlationId ? corrJson : jsonString(e.causationId);
      const json = `{"id":${idJson}${th.text}${firstRevision + i},"position":${firstPosition + i},"tsEvent":${e.tsEvent},"tsRecv":${e.tsRecv}${this.lastRunHead}${corrJson},"causationId":${causeJson},"data":${JSON.stringify(e.data)}}`;
      this.ensure(off + RECORD_HEADER_BYTES + json.length * 3);
      const n = (this.buf as FastBuffer).utf8Write(json, off + RECORD_HEADER_BYTES);
      this.buf.writeUInt32LE(n, off);
      off += RECORD_HEADER_BYTES + n;
    }
    if (off >= U32) throw new HftError('HFT_ERR_BAD_INPUT', `append to '${streamId}': batch of ${events.length} events is ${off} bytes, over the 4 GiB frame limit`, { streamId });
    const b = this.buf;
    b.writeUInt32LE(FRAME_MAGIC, 0);
    b.writeUInt32LE(off, 4);
    b.writeUInt32LE(events.length, 8);
    b.writeUInt32LE(streamIdBytes, 12);
    writeU64(b, firstPosition, 16);
    writeU64(b, firstRevision, 24);
    return b.subarray(0, off);
  }

  /**
   * Hands the buffer over (a frame going to the writer thread is transferred, not copied); the next
   * encode writes into `replacement` (the buffer coming back), or into a new one.
   */
  /** The whole buffer the last frame was encoded into (the frame is its start). */
  get buffer(): Buffer { return this.buf; }

  release(replacement: Buffer | undefined): void {
    this.buf = replacement !== undefined && replacement.length > 0 ? replacement : Buffer.allocUnsafeSlow(1 << 20);
  }

  private ensure(bytes: number): void {
    if (bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(bytes, this.buf.length * 2));
    this.buf.copy(next);
    this.buf = next;
  }
}

/**
 * JSON text of a string, the same as JSON.stringify gives: quoted as is when every character is
 * printable ASCII other than `"` and `\` (ids, types), else through JSON.stringify (escapes).
 */
export function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return JSON.stringify(s);
  }
  return `"${s}"`;
}

function writeU64(b: Buffer, n: number, off: number): void {
  b.writeUInt32LE(n % U32, off);
  b.writeUInt32LE(Math.floor(n / U32), off + 4);
}
const readU64 = (b: Buffer, off: number): number => b.readUInt32LE(off) + b.readUInt32LE(off + 4) * U32;


/**
 * Reads a frame header at `b[start]` given `avail` bytes from there to the end of the data.
 * Returns 'incomplete' when the bytes end inside the frame (a torn tail, or a write in progress);
 * throws the corrupt error when the header itself is damaged.
 */
export function readFrameHeader(b: Buffer, start: number, avail: number, segment: string, fileOffset: number): FrameHeader | 'incomplete' {
  if (avail < HEADER_BYTES) return 'incomplete';
  if (b.readUInt32LE(start) !== FRAME_MAGIC || b.readUInt32LE(start + 64) !== crc32(b.subarray(start, start + 64))) {
    // A crash after the file grew but before its pages were written can leave zeros: that is a torn tail.
    if (allZero(b, start, start + avail)) return 'incomplete';
    throw corruptError(segment, fileOffset, 'frame header checksum mismatch');
  }
  const frameBytes = b.readUInt32LE(start + 4);
  const eventCount = b.readUInt32LE(start + 8);
  const streamIdBytes = b.readUInt32LE(start + 12);
  const recordsStart = HEADER_BYTES + streamIdBytes;
  if (frameBytes < recordsStart + eventCount * RECORD_HEADER_BYTES || eventCount === 0) {
    throw corruptError(segment, fileOffset, `frame length ${frameBytes} cannot hold ${eventCount} records`);
  }
  if (frameBytes > avail) return 'incomplete';
  return {
    frameBytes, eventCount, recordsStart,
    streamId: b.toString('utf8', start + HEADER_BYTES, start + recordsStart),
    firstPosition: readU64(b, start + 16),
    firstRevision: readU64(b, start + 24),
  };
}

/** The frame length from a header whose checksum holds, else undefined. */
export function peekFrameBytes(b: Buffer, start: number, avail: number): number | undefined {
  if (avail < HEADER_BYTES || b.readUInt32LE(start) !== FRAME_MAGIC) return undefined;
  return b.readUInt32LE(start + 64) === crc32(b.subarray(start, start + 64)) ? b.readUInt32LE(start + 4) : undefined;
}

function allZero(b: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Checks every record checksum, the record count and the chain link of a complete frame; optionally
 * decodes the events. Throws the corrupt error naming the frame's segment and byte offset.
 */
export function checkFrame(
  b: Buffer, start: number, h: FrameHeader, prevHash: Buffer, segment: string, fileOffset: number, decode: boolean,
): { hash: Buffer; events: EventEnvelope[] | undefined } {
  const end = start + h.frameBytes;
  const events: EventEnvelope[] | undefined = decode ? new Array<EventEnvelope>(h.eventCount) : undefined;
  let off = start + h.recordsStart;
  for (let i = 0; i < h.eventCount; i++) {
    if (off + RECORD_HEADER_BYTES > end) throw corruptError(segment, fileOffset, `record ${i} of ${h.eventCount} runs past the frame end`);
    const n = b.readUInt32LE(off);
    const s = off + RECORD_HEADER_BYTES;
    if (s + n > end) throw corruptError(segment, fileOffset, `record ${i} of ${h.eventCount} runs past the frame end`);
    if (crc32(view(b, s, n)) !== b.readUInt32LE(off + 4)) throw corruptError(segment, fileOffset, `record ${i} of ${h.eventCount} checksum mismatch`);
    if (events) {
      try {
        events[i] = JSON.parse((b as FastBuffer).utf8Slice(s, s + n)) as EventEnvelope;
        // Stored events are never edited: an older schema version is brought up to date as it is read.
        events[i] = upcast(events[i]!);
      } catch (e) {
        throw corruptError(segment, fileOffset, `record ${i} of ${h.eventCount} is not JSON: ${(e as Error).message}`);
      }
    }
    off = s + n;
  }
  if (off !== end) throw corruptError(segment, fileOffset, `frame has ${end - off} bytes after its ${h.eventCount} records`);
  const hash = frameHash(prevHash, b, start, end);
  if (!hash.equals(b.subarray(start + 32, start + 64))) throw corruptError(segment, fileOffset, 'hash chain mismatch (a record was edited, inserted or deleted before here)');
  return { hash, events };
}

/** Segment numbers in the directory, in order; a gap in the numbering is corruption. */
export async function listSegments(dir: string): Promise<number[]> {
  const nums = (await readdir(dir)).flatMap((n) => { const m = SEGMENT_RE.exec(n); return m ? [Number(m[1])] : []; }).sort((a, b) => a - b);
  for (let i = 0; i < nums.length; i++) {
    if (nums[i] !== i + 1) throw corruptError(segmentName(i + 1), 0, `segment file is missing (found ${nums.map(segmentName).join(', ')})`);
  }
  return nums;
}
