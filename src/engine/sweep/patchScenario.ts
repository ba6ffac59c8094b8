/**
 * Applies one grid combination to the scenario JSON as written (before validation, so the patched
 * scenario goes through parseScenario like any other and its errors name the field).
 *
 * A value takes the type of the value it replaces: `orderSize` is a decimal string in scenarios and
 * stays one ("0.002", never 0.002), `halfSpreadTicks` is a number and must parse as one. A key the
 * scenario does not have yet (e.g. `data.to`) is parsed as JSON when it can be, else kept as a string.
 */
import { HftError } from '../../core/errors.ts';
import type { Combination } from './expandGrid.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function patchScenario(scenario: unknown, combination: Combination, source = 'scenario'): Record<string, unknown> {
  if (!scenario || typeof scenario !== 'object' || Array.isArray(scenario)) throw new HftError('HFT_ERR_CONFIG', `${source}: expected a JSON object`);
  const copy = structuredClone(scenario) as Record<string, Json>;
  for (const [key, raw] of Object.entries(combination.values)) {
    const path = key.split('.');
    let node: Json = copy;
    for (let i = 0; i < path.length - 1; i++) {
      const next: Json | undefined = child(node, path[i]!);
      if (next === undefined || next === null || typeof next !== 'object') {
        throw new HftError('HFT_ERR_CONFIG', `${source}: --grid ${key}: '${path.slice(0, i + 1).join('.')}' is not an object or array in the scenario`);
      }
      node = next;
    }
    const last = path[path.length - 1]!;
    const old = child(node, last);
    const value = typed(raw, old, key, source);
    if (Array.isArray(node)) {
      const i = Number(last);
      if (!Number.isInteger(i) || i < 0 || i > node.length) throw new HftError('HFT_ERR_CONFIG', `${source}: --grid ${key}: '${last}' is not an index of an array of ${node.length}`);
      node[i] = value;
    } else (node as Record<string, Json>)[last] = value;
  }
  return copy;
}

function child(node: Json, name: string): Json | undefined {
  if (Array.isArray(node)) return /^\d+$/.test(name) ? node[Number(name)] : undefined;
  if (node && typeof node === 'object') return Object.prototype.hasOwnProperty.call(node, name) ? node[name] : undefined;
  return undefined;
}

function typed(raw: string, old: Json | undefined, key: string, source: string): Json {
  if (typeof old === 'string') return raw;
  if (typeof old === 'number') {
    // Number('') is 0 and Number('0x10') is 16: accept only plain decimal notation.
    if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new HftError('HFT_ERR_CONFIG', `${source}: --grid ${key}: '${raw}' is not a number (the scenario has ${old})`);
    return Number(raw);
  }
  if (typeof old === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw new HftError('HFT_ERR_CONFIG', `${source}: --grid ${key}: '${raw}' is not true or false`);
    return raw === 'true';
  }
  if (old !== undefined && old !== null) throw new HftError('HFT_ERR_CONFIG', `${source}: --grid ${key}: replaces a whole ${Array.isArray(old) ? 'array' : 'object'}; grid a leaf value instead`);
  try { return JSON.parse(raw) as Json; } catch { return raw; }
}
