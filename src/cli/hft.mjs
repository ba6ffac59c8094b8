#!/usr/bin/env -S node --max-semi-space-size=64
// Entry point of the `hft` command: registers the TypeScript loader, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
// A closed pipe (`hft events | head`) ends output, not the process with a stack trace.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
