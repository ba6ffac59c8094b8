/** Store URIs accepted by `--store` (src/cli/store.ts). */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STORE_URI, openStore, parseStoreUri } from '../../src/cli/store.ts';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import { MemoryEventStore } from '../../src/eventstore/memory/MemoryEventStore.ts';

describe('store URIs', () => {
  it('defaults to file:.hft/store in the working directory', () => {
    expect(DEFAULT_STORE_URI).toBe('file:.hft/store');
    expect(parseStoreUri(DEFAULT_STORE_URI, '/srv/run')).toEqual({ scheme: 'file', dir: '/srv/run/.hft/store' });
  });

  it('resolves relative, absolute and URL-style file paths', () => {
    expect(parseStoreUri('file:data/s', '/a')).toEqual({ scheme: 'file', dir: '/a/data/s' });
    expect(parseStoreUri('file:/var/s', '/a')).toEqual({ scheme: 'file', dir: '/var/s' });
    expect(parseStoreUri('file:///var/s', '/a')).toEqual({ scheme: 'file', dir: '/var/s' });
    expect(parseStoreUri('memory:', '/a')).toEqual({ scheme: 'memory' });
  });

  it('rejects unknown or malformed URIs with HFT_ERR_STORE_URI listing the valid forms', () => {
    expect(() => parseStoreUri('ftp://localhost/hft', '/a')).toThrow(/^HFT_ERR_STORE_URI: store URI 'ftp:\/\/localhost\/hft': unknown scheme\. Valid store URIs: memory:, file:<dir>.* \(default file:\.hft\/store\)$/);
    expect(() => parseStoreUri('memory:x', '/a')).toThrow(/'memory:' takes nothing after the colon/);
    expect(() => parseStoreUri('file:', '/a')).toThrow(/'file:' needs a directory/);
    expect(() => parseStoreUri('.hft/store', '/a')).toThrow(/HFT_ERR_STORE_URI/);
  });

  it('opens the adapter the URI names', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'hft-uri-'));
    try {
      const mem = await openStore('memory:', { cwd });
      expect(mem).toBeInstanceOf(MemoryEventStore);
      await mem.close();
      const file = await openStore('file:store', { cwd });
      expect(file).toBeInstanceOf(FileEventStore);
      expect((await stat(join(cwd, 'store', 'writer.lock'))).isFile()).toBe(true);
      await file.close();
      const ro = await openStore('file:store', { cwd, readOnly: true });
      expect((ro as FileEventStore).readOnly).toBe(true);
      await ro.close();
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
