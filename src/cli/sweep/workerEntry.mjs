// Entry of the job processes a worker host forks (`hft worker --concurrency N`, `hft sweep --local N`):
// the `hft worker` command alone. Going through hft.mjs would load every command (the exchange client
// library, the servers) in each job process: start-up CPU that N processes pay N times.
import { register } from 'tsx/esm/api';

register();
const { workerCommand } = await import('../commands/worker.ts');
const { isHftError } = await import('../../core/errors.ts');
const io = {
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
