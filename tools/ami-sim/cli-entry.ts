/** Stand-alone entry: `node --import tsx tools/ami-sim/cli-entry.ts --port 5038 …`. */
import { runSimAmi } from './cli.js';

process.exitCode = await runSimAmi(process.argv.slice(2));
