/** Every `hft` verb, in the order `hft --help` lists them. One line per verb. */
import type { Command } from '../command.ts';

export const commands: readonly Command[] = [
];
