/**
 * Keeps the dependency rules of ARCHITECTURE.md true by scanning imports.
 *
 * Layers, lowest first (a module may import its own layer and any lower one):
 *   core < model < eventstore < feeds < sim < {strategy, risk, oms} < projections < engine < adapters < cli
 * The event store sits low because its port is what engine and projections append to and read from
 * (the Emmett habit: port and in-memory store live with the core); its adapters import only core/model.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');
const RANK: Record<string, number> = {
  core: 0, model: 1, eventstore: 2, feeds: 3, sim: 4, strategy: 5, risk: 5, oms: 5, projections: 6, engine: 7, adapters: 8, cli: 9,
};
const PEERS = new Set(['strategy', 'risk', 'oms']);
/** Folders that own files (stores, tick-store readers, importers) besides the CLI. */
const FS_ALLOWED = ['cli/', 'eventstore/file/', 'feeds/tickstore/', 'feeds/importers/'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : /\.(ts|mts|mjs)$/.test(name) ? [p] : [];
  });
}

const files = walk(SRC);
const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(importRe)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}
const layerOf = (file: string): string => relative(SRC, file).split('/')[0]!.replace(/\.(ts|mjs)$/, '');

describe('architecture', () => {
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('imports only go down the layer list, and strategy/risk/oms never import each other', () => {
    const bad: string[] = [];
    for (const f of files) {
      const from = layerOf(f);
      if (!(from in RANK)) continue; // src/index.ts, the public barrel, may import anything
      for (const spec of importsOf(f)) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(f), spec);
        const to = layerOf(target);
        if (!(to in RANK)) { bad.push(`${relative(SRC, f)} imports ${spec} outside the layers`); continue; }
        if (RANK[to]! > RANK[from]!) bad.push(`${relative(SRC, f)} (${from}) imports upward: ${spec} (${to})`);
        if (from !== to && PEERS.has(from) && PEERS.has(to)) bad.push(`${relative(SRC, f)} (${from}) imports its peer ${to}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('RxJS is imported only in src/engine', () => {
    const bad = files.filter((f) => layerOf(f) !== 'engine' && importsOf(f).some((s) => s === 'rxjs' || s.startsWith('rxjs/')));
    expect(bad.map((f) => relative(SRC, f))).toEqual([]);
  });

  it('process.env is read only in src/cli, the file system touched only by the CLI and the stores/readers that own files', () => {
    const bad: string[] = [];
    for (const f of files) {
      const rel = relative(SRC, f);
      const text = readFileSync(f, 'utf8');
      if (!rel.startsWith('cli/') && /process\.env/.test(text)) bad.push(`${rel} reads process.env`);
      const usesFs = importsOf(f).some((s) => /^(node:)?fs(\/promises)?$/.test(s));
      if (usesFs && !FS_ALLOWED.some((p) => rel.startsWith(p))) bad.push(`${rel} imports fs`);
    }
    expect(bad).toEqual([]);
  });

  it('reducers stay pure: no Date.now() or Math.random() below the engine', () => {
    const bad: string[] = [];
    for (const f of files) {
      const layer = layerOf(f);
      if (!['core', 'model', 'sim', 'strategy', 'risk', 'oms', 'projections'].includes(layer)) continue;
      const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      if (/Date\.now\(\)|Math\.random\(\)|performance\.now\(\)/.test(text)) bad.push(relative(SRC, f));
    }
    expect(bad).toEqual([]);
  });

  it('has no import cycles', () => {
    const graph = new Map<string, string[]>();
    for (const f of files) {
      graph.set(f, importsOf(f).filter((s) => s.startsWith('.')).map((s) => resolve(dirname(f), s)));
    }
    const state = new Map<string, 1 | 2>();
    const cycles: string[] = [];
    const visit = (n: string, path: string[]): void => {
      if (state.get(n) === 2) return;
      if (state.get(n) === 1) { cycles.push([...path.slice(path.indexOf(n)), n].map((p) => relative(SRC, p)).join(' -> ')); return; }
      state.set(n, 1);
      for (const m of graph.get(n) ?? []) visit(m, [...path, n]);
      state.set(n, 2);
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
