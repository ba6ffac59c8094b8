/** README's CLI table names every registered verb, and `--help` answers for each of them. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.ts';
import { main } from '../../src/cli/main.ts';

const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
const cli = readme.slice(readme.indexOf('## CLI'), readme.indexOf('\n## ', readme.indexOf('## CLI') + 5));

describe('CLI documentation', () => {
  it('lists every verb in the README CLI table', () => {
    const missing = commands.map((c) => c.name).filter((name) => !cli.includes(`hft ${name.split(' ')[0]}`));
    expect(missing).toEqual([]);
  });
  it('answers --help for every verb with a usage line, and names the valid verbs for an unknown one', async () => {
    for (const c of commands) {
      const out: string[] = [];
      const code = await main([...c.name.split(' '), '--help'], { out: (l) => out.push(l), err: () => {}, env: {}, cwd: process.cwd(), isTTY: false });
      expect(code).toBe(0);
      expect(out.join("\n"), `hft ${c.name} --help`).toMatch(/usage: .*hft /);
    }
    const err: string[] = [];
    expect(await main(['frobnicate'], { out: () => {}, err: (l) => err.push(l), env: {}, cwd: process.cwd(), isTTY: false })).toBe(2);
    expect(err.join('')).toContain('Valid commands: backtest');
  });
});
