/**
 * Main-thread side of FrameWriterThread.mjs: finishes, writes and (for a store that syncs every append)
 * fdatasyncs one large frame at a time on the writer thread. The frame's buffer is transferred there and back (no copy); the caller awaits the
 * write before it encodes the next frame, so the store's order of writes is unchanged.
 *
 * The thread does not keep the process alive while idle (a store left open must not hang an exiting
 * program); it is referenced while a write is outstanding, so an awaited append is never abandoned.
 */
import { Worker } from 'node:worker_threads';

interface Reply { readonly id: number; readonly buffer: ArrayBuffer; readonly error?: { message: string; code?: string; stage: 'write' | 'sync' } }

/** The frame was written but its fdatasync failed: the pages may be lost, the store must stop. */
export class FrameSyncError extends Error {}
interface Pending { resolve(b: Buffer): void; reject(e: Error): void; readonly byteOffset: number; readonly capacity: number }

export class FrameWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private dead: Error | undefined;

  constructor() {
    this.worker = new Worker(new URL('./FrameWriterThread.mjs', import.meta.url));
    this.worker.unref();
    this.worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (this.pending.size === 0) this.worker.unref();
      const buf = Buffer.from(r.buffer, p.byteOffset, p.capacity);
      if (r.error) {
        const e = Object.assign(r.error.stage === 'sync' ? new FrameSyncError(r.error.message) : new Error(r.error.message), r.error.code !== undefined ? { code: r.error.code } : {});
        p.reject(e);
      } else p.resolve(buf);
    });
    const fail = (e: Error): void => {
      this.dead = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => { if (!this.dead) fail(new Error(`frame writer thread exited (code ${code})`)); });
  }

  /**
   * Completes `frame` (record CRCs, chain hash from `prevHash`, header CRC), writes it to `fd` at byte
   * `at` and, with `sync`, fdatasyncs `fd`. `frame` is a view of the start of `buf`, which is handed
   * over: it resolves with `buf` back (the same memory, now holding the finished frame), and rejects
   * with the write's error, or a FrameSyncError when the write succeeded and the fdatasync failed.
   */
  write(fd: number, at: number, buf: Buffer, frameBytes: number, prevHash: Buffer, sync: boolean): Promise<Buffer> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject, byteOffset: buf.byteOffset, capacity: buf.length });
      const ab = buf.buffer as ArrayBuffer;
      this.worker.postMessage({ id, fd, at, buffer: ab, byteOffset: buf.byteOffset, frameBytes, prevHash: Uint8Array.from(prevHash), sync }, [ab]);
    });
  }

  async close(): Promise<void> {
    this.dead ??= new Error('frame writer closed');
    await this.worker.terminate();
  }
}
