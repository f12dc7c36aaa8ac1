/** `asterisk-b24 start --config FILE`: runs the connector until SIGINT/SIGTERM. */
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.js';
import { createPinoLogger } from '../log-pino.js';
import type { CliIo } from './main.js';

export async function runStart(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } }, strict: true });
  if (!values.config) {
    io.err.write('usage: asterisk-b24 start --config FILE\n');
    return 2;
  }
  const config = loadConfigFile(values.config);
  const logger = createPinoLogger(config.log.level);
  const { startConnector } = await import('../main.js');
  const connector = await startConnector(config, logger);
  io.write(`${JSON.stringify({ type: 'ready', http: connector.httpUrl })}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await connector.close();
  return 0;
}
