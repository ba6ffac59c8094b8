/**
 * What a job process forked by a worker host runs (`hft worker --concurrency N`, `hft sweep --local N`):
 * the `hft worker` command alone, from workerEntry.mjs (TypeScript through tsx) or from its bundle
 * (jobBundle.ts). Runs on import.
 */
import { isHftError } from '../../core/errors.ts';
import type { CliIO } from '../command.ts';
import { workerCommand } from '../commands/worker.ts';

const io: CliIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  cwd: process.cwd(),
  isTTY: Boolean(process.stdout.isTTY),
};
try {
  process.exitCode = await workerCommand.run(process.argv.slice(2), io);
} catch (e) {
  // As src/cli/main.ts: a deliberate error is one line, a bug keeps its stack.
  if (!isHftError(e)) throw e;
  io.err(`hft worker: ${e.message}`);
  process.exitCode = e.code === 'HFT_ERR_USAGE' || e.code === 'HFT_ERR_CONFIG' ? 2 : 1;
}
