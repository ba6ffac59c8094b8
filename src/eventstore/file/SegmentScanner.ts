/**
 * Walks the frames of one segment file in order with large reads, checking every checksum, the hash
 * chain and position continuity. Used to rebuild the index on open, to follow another process's
 * appends, and by `verifyStore`.
 */
import { open } from 'node:fs/promises';
import type { EventEnvelope } from '../../model/events.ts';
import { checkFrame, corruptError, peekFrameBytes, readFrameHeader, type FrameHeader } from './FileEventStoreInternals.ts';

const CHUNK_BYTES = 4 << 20;

export interface ScannedFrame extends FrameHeader {
  /** Byte offset of the frame in its segment. */
  readonly offset: number;
  readonly hash: Buffer;
  readonly events: EventEnvelope[] | undefined;
}

export interface ScanState {
  /** Offset just past the last whole frame. */
  offset: number;
  prevHash: Buffer;
  nextPosition: number;
  /** Set when the data ends inside a frame: where it starts and how many bytes follow. */
  incomplete: { offset: number; bytes: number } | null;
}

export class SegmentScanner {
  /**
   * @param path segment file; `name` is how errors name it.
   * @param state where to start; updated as frames pass.
   * @param allowIncomplete only the last segment may end inside a frame (a torn tail or a write in progress).
   */
  constructor(
    private readonly path: string,
    private readonly name: string,
    readonly state: ScanState,
    private readonly allowIncomplete: boolean,
    private readonly decode = false,
    private readonly endOffset?: number,
  ) {}

  async *frames(): AsyncGenerator<ScannedFrame> {
    const fh = await open(this.path, 'r');
    try {
      const size = this.endOffset ?? (await fh.stat()).size;
      let buf = Buffer.allocUnsafe(CHUNK_BYTES);
      let winStart = this.state.offset;
      let winEnd = winStart;
      const fill = async (from: number, want: number): Promise<void> => {
        // Keep [from, from+want) (clipped at size) in the window, reading as much as fits.
        if (from >= winStart && from + want <= winEnd) return;
        if (want > buf.length) buf = Buffer.allocUnsafe(Math.max(want, buf.length * 2));
        const keep = from < winEnd && from >= winStart ? winEnd - from : 0;
        if (keep > 0) buf.copy(buf, 0, from - winStart, winEnd - winStart);
        winStart = from;
        winEnd = from + keep;
        const goal = Math.min(size, winStart + buf.length);
        while (winEnd < goal) {
          const { bytesRead } = await fh.read(buf, winEnd - winStart, goal - winEnd, winEnd);
          if (bytesRead === 0) break;
          winEnd += bytesRead;
        }
      };
      while (this.state.offset < size) {
        const at = this.state.offset;
        await fill(at, Math.min(size - at, 4096));
        // Bring the whole frame into the window when its (checksummed) header says it fits in the file;
        // otherwise everything up to the end of the file, so 'incomplete' always means "ends at EOF".
        const declared = peekFrameBytes(buf, at - winStart, winEnd - at);
        const want = declared !== undefined && at + declared <= size ? declared : size - at;
        if (at + want > winEnd) await fill(at, want);
        const h = readFrameHeader(buf, at - winStart, winEnd - at, this.name, at);
        if (h === 'incomplete') {
          if (!this.allowIncomplete) throw corruptError(this.name, at, `segment ends inside a frame (${size - at} bytes), but a later segment exists`);
          this.state.incomplete = { offset: at, bytes: size - at };
          return;
        }
        if (h.firstPosition !== this.state.nextPosition) {
          throw corruptError(this.name, at, `frame starts at position ${h.firstPosition}, expected ${this.state.nextPosition} (a frame was deleted or inserted)`);
        }
        const { hash, events } = checkFrame(buf, at - winStart, h, this.state.prevHash, this.name, at, this.decode);
        this.state.prevHash = hash;
        this.state.nextPosition += h.eventCount;
        this.state.offset = at + h.frameBytes;
        yield { ...h, offset: at, hash, events };
      }
      this.state.incomplete = null;
    } finally {
      await fh.close();
    }
  }
}
