/** One writer per store directory, across real processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isHftError } from '../../src/core/errors.ts';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import { collect } from '../../src/eventstore/port.ts';

const CHILD = join(import.meta.dirname, 'fixtures', 'holdWriter.ts');

function startWriter(dir: string): { child: ChildProcess; firstLine: Promise<string>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const firstLine = new Promise<string>((res, rej) => {
    child.stdout!.on('data', (c: Buffer) => { out += c.toString('utf8'); if (out.includes('\n')) res(out.split('\n')[0]!); });
    child.on('exit', (code) => { if (!out.includes('\n')) rej(new Error(`writer exited ${code} without a line`)); });
  });
  const exit = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, firstLine, exit };
}

describe('file store writer lock', () => {
  let dir = '';
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second writer process with the lock error naming the directory and the holder PID, while readers may open', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hft-lock-'));
    const first = startWriter(dir);
    children.push(first.child);
    expect(await first.firstLine).toBe(`holding ${first.child.pid}`);

    const second = startWriter(dir);
    children.push(second.child);
    const line = await second.firstLine;
    expect(line).toMatch(/^failed HFT_ERR_STORE_LOCKED /);
    expect(line).toContain(dir);
    expect(line).toContain(`process ${first.child.pid}`);
    expect(await second.exit).toBe(3);

    // In this process too: a writer open is refused, a read-only open sees the holder's append.
    const refused = await FileEventStore.open(dir).catch((e: unknown) => e);
    expect(isHftError(refused, 'HFT_ERR_STORE_LOCKED')).toBe(true);
    const reader = await FileEventStore.open(dir, { readOnly: true });
    expect((await collect(reader.readStream('held'))).map((e) => e.id)).toEqual([`held-${first.child.pid}`]);
    await expect(reader.append('x', [])).rejects.toSatisfy((e: unknown) => isHftError(e, 'HFT_ERR_STORE_READ_ONLY'));
    await reader.close();

    // Once the holder closes, the next writer gets the store.
    first.child.stdin!.end();
    expect(await first.exit).toBe(0);
    const third = startWriter(dir);
    children.push(third.child);
    expect(await third.firstLine).toBe(`holding ${third.child.pid}`);
    third.child.stdin!.end();
    expect(await third.exit).toBe(0);
  }, 30_000);

  it('takes over a lock left by a killed writer', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hft-lock-'));
    const first = startWriter(dir);
    children.push(first.child);
    await first.firstLine;
    first.child.kill('SIGKILL');
    await first.exit;
    const store = await FileEventStore.open(dir);
    expect(await store.streamRevision('held')).toBe(0);
    await store.close();
  }, 30_000);

  it('treats a lock holding a PID that is not running as stale', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hft-lock-'));
    // PIDs above the kernel's pid_max (4194304 at most) are never running.
    await writeFile(join(dir, 'writer.lock'), '4194305\n');
    const store = await FileEventStore.open(dir);
    expect(await store.headPosition()).toBe(-1);
    await store.close();
  });
});
