/** Static files of the dashboard, read once. */
import { readFileSync } from 'node:fs';

const cache = new Map<string, string>();
export function pageAsset(name: string): string {
  let text = cache.get(name);
  if (text === undefined) { text = readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8'); cache.set(name, text); }
  return text;
}
