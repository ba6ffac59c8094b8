/** Lines of a text file (gzip when the name ends in .gz), numbered from 1, streamed. */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { HftError } from '../../core/errors.ts';

export async function* readLines(path: string): AsyncGenerator<{ line: string; lineNo: number }> {
  if (!existsSync(path)) throw new HftError('HFT_ERR_NOT_FOUND', `input file ${path} does not exist`, { path });
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const input = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  let lineNo = 0;
  try {
    for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      lineNo++;
      yield { line, lineNo };
    }
  } catch (e) {
    throw new HftError('HFT_ERR_BAD_INPUT', `${path}:${lineNo + 1}: cannot read (${(e as Error).message})`, { path }, { cause: e });
  } finally {
    raw.destroy();
  }
}
