/** `asterisk-b24 config-check --config FILE`: validate and print the effective config, secrets masked. */
import { parseArgs } from 'node:util';
import { loadConfigFile, maskSecrets } from '../config/load.js';
import type { CliIo } from './main.js';

export async function runConfigCheck(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } }, strict: true });
  if (!values.config) {
    io.err.write('usage: asterisk-b24 config-check --config FILE\n');
    return 2;
  }
  const config = loadConfigFile(values.config);
  io.write(`${JSON.stringify(maskSecrets(config), null, 2)}\n`);
  return 0;
}
