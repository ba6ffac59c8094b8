/**
 * Crash safety with real processes: a child appends batches with fsync 'always' and is SIGKILLed at
 * random moments (during open and recovery, mid-write, between write and fdatasync, between roll and
 * first write). After every kill: the store opens, every acknowledged batch is there and whole, no
 * batch is partly visible, and verify passes. Every other child writes its frames on the store's writer
 * thread (offloadFrameBytes 0), the others on the main thread.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/core/random.ts';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import { verifyStore } from '../../src/eventstore/file/verifyStore.ts';
import { collect } from '../../src/eventstore/port.ts';

const CHILD = join(import.meta.dirname, 'fixtures', 'crashWriter.ts');
const KILLS = 50;
const SEED = 20240809;

interface Ack { batch: number; size: number; revision: number }

/** Runs the writer until a random moment, SIGKILLs it, returns what it acknowledged. */
function runAndKill(dir: string, seed: number, rng: SeededRandom): Promise<{ acks: Ack[]; ready: boolean; stderr: string }> {
  return new Promise((resolve, reject) => {
    const thread = seed % 2 === 0;
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(seed), thread ? 'thread' : 'caller'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    let ready = false;
    let out = '';
    let stderr = '';
    // A third of the kills land while the child is still starting or recovering; the rest mid-append.
    const early = rng.next() < 1 / 3;
    const delayMs = early ? 50 + rng.next() * 300 : rng.next() * 60;
    const kill = (): void => { child.kill('SIGKILL'); };
    if (early) setTimeout(kill, delayMs);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const [word, a, b, c] = line.split(' ');
        if (word === 'ready') {
          if (!ready && !early && !thread) setTimeout(kill, delayMs);
          ready = true;
        } else if (word === 'ack') {
          // A thread child's writer thread starts with its first frame: its clock starts at the first ack.
          if (acks.length === 0 && !early && thread) setTimeout(kill, delayMs);
          acks.push({ batch: Number(a), size: Number(b), revision: Number(c) });
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}/${signal} instead of being killed: ${stderr}`));
      else resolve({ acks, ready, stderr });
    });
  });
}

describe('file store under SIGKILL', () => {
  let dir = '';
  afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

  it(`keeps every acknowledged batch whole and shows no partial batch across ${KILLS} kills`, async () => {
    dir = await mkdtemp(join(tmpdir(), 'hft-crash-'));
    const rng = new SeededRandom(SEED);
    const acked = new Map<number, number>(); // batch -> size
    let recoveries = 0;
    let killsMidAppend = 0;
    // Checked so far (earlier kills): later checks read only what is new; verify re-walks everything.
    let batch = 0;
    let checked = 0;
    for (let k = 0; k < KILLS; k++) {
      const { acks } = await runAndKill(dir, SEED + k, rng);
      if (acks.length > 0) killsMidAppend++;
      for (const a of acks) acked.set(a.batch, a.size);

      const store = await FileEventStore.open(dir, { segmentBytes: 1 << 20 });
      if (store.recovered) recoveries++;
      const total = (await store.streamRevision('crash')) + 1;
      expect(total, `kill ${k}: the store never shrinks below what was checked`).toBeGreaterThanOrEqual(checked);
      const events = await collect(store.readStream('crash', { fromRevision: checked }));
      await store.close();

      // Batches are contiguous from 0, each complete (n events, i = 0..n-1, consecutive revisions).
      let idx = 0;
      while (idx < events.length) {
        const first = events[idx]!.data as unknown as { batch: number; i: number; n: number };
        expect(first.batch, `kill ${k}: batch order`).toBe(batch);
        expect(first.i, `kill ${k}: batch ${batch} starts at its first event`).toBe(0);
        expect(idx + first.n, `kill ${k}: batch ${batch} is whole`).toBeLessThanOrEqual(events.length);
        for (let i = 0; i < first.n; i++) {
          const d = events[idx + i]!.data as unknown as { batch: number; i: number };
          if (d.batch !== batch || d.i !== i) throw new Error(`kill ${k}: batch ${batch} event ${i} is ${d.batch}/${d.i}`);
          if (events[idx + i]!.revision !== checked + idx + i) throw new Error(`kill ${k}: revision gap at ${checked + idx + i}`);
        }
        const ackedSize = acked.get(batch);
        if (ackedSize !== undefined) expect(first.n).toBe(ackedSize);
        idx += first.n;
        batch++;
      }
      checked += events.length;
      // Every acknowledged batch is present (a batch may also be present without its ack: killed after fdatasync).
      for (const b of acked.keys()) expect(b, `kill ${k}: acknowledged batch ${b} lost`).toBeLessThan(batch);

      const v = await verifyStore(dir);
      expect(v.tornTail).toBeNull();
      expect(v.events).toBe(checked);
      expect(v.streams).toBe(checked > 0 ? 1 : 0);
    }
    console.log(`crash test: ${KILLS} kills, ${killsMidAppend} after at least one ack, ${recoveries} torn tails truncated, ${acked.size} batches acknowledged`);
    expect(acked.size).toBeGreaterThan(KILLS);
    expect(killsMidAppend).toBeGreaterThan(KILLS / 3);
  }, 120_000);
});
