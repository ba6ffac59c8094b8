/**
 * Keeps up to `depth` items of an async iterable requested ahead of the consumer, so the next batch's
 * file read (on libuv's thread pool) overlaps with the kernel working on the current one: on two
 * cores the decoder and the kernel then run side by side instead of taking turns.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, depth = 2): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  const pending: Promise<IteratorResult<T>>[] = [];
  try {
    for (let i = 0; i < depth; i++) pending.push(it.next());
    for (;;) {
      const r = await pending.shift()!;
      if (r.done) return;
      pending.push(it.next());
      yield r.value;
    }
  } finally {
    // Settle what is still in flight before closing the source (an abandoned read must not leak).
    await Promise.allSettled(pending);
    await it.return?.();
  }
}
