/** Source entry of the CLI (`node --import tsx src/cli/run.ts …`), for tests and development. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
