/**
 * API bearer tokens and their roles, from the environment (HFT_TOKENS='tok1:trader,tok2:viewer').
 * Never from the URL or the log: errors name the entry by its index, never the token.
 */
import { timingSafeEqual } from 'node:crypto';
import { HftError } from '../../core/errors.ts';

export type Role = 'viewer' | 'trader';
export const ROLES: readonly Role[] = ['viewer', 'trader'];
/** Below this a token is guessable; refuse it at start-up rather than serve with it. */
export const MIN_TOKEN_CHARS = 16;

export interface TokenTable { readonly entries: readonly { readonly token: Buffer; readonly role: Role }[] }

export function parseTokens(spec: string | undefined, envName = 'HFT_TOKENS'): TokenTable {
  if (spec === undefined || spec.trim() === '') {
    throw new HftError('HFT_ERR_CONFIG', `${envName} is not set: give the API tokens as '<token>:<role>,...' with role ${ROLES.join(' or ')} (tokens of at least ${MIN_TOKEN_CHARS} characters)`);
  }
  const entries = spec.split(',').map((part, i) => {
    const at = part.lastIndexOf(':');
    const token = at < 0 ? '' : part.slice(0, at).trim();
    const role = at < 0 ? '' : part.slice(at + 1).trim();
    if (!ROLES.includes(role as Role)) throw new HftError('HFT_ERR_CONFIG', `${envName} entry ${i + 1}: role must be ${ROLES.join(' or ')}, got '${role}' (format '<token>:<role>,...')`);
    if (token.length < MIN_TOKEN_CHARS) throw new HftError('HFT_ERR_CONFIG', `${envName} entry ${i + 1}: token has ${token.length} characters, at least ${MIN_TOKEN_CHARS} are needed`);
    if (!/^[\x21-\x7e]+$/.test(token) || token.includes(',')) throw new HftError('HFT_ERR_CONFIG', `${envName} entry ${i + 1}: token must be printable ASCII without spaces or commas`);
    return { token: Buffer.from(token), role: role as Role };
  });
  return { entries };
}

/** The role of a presented token, compared in constant time; undefined when unknown. */
export function roleOf(table: TokenTable, presented: string | undefined): Role | undefined {
  if (!presented) return undefined;
  const p = Buffer.from(presented);
  let found: Role | undefined;
  for (const e of table.entries) if (e.token.length === p.length && timingSafeEqual(e.token, p)) found = e.role;
  return found;
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerOf(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}
