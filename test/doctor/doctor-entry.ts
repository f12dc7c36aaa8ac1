/**
 * Tiny CLI entry for the e2e test: `node --import tsx test/doctor/doctor-entry.ts --config FILE`.
 * Calls the exported runDoctor as src/cli/main.ts will once `doctor` is registered there.
 */
import { runDoctor } from '../../src/cli/doctor.js';

process.exitCode = await runDoctor(process.argv.slice(2), {
  write: (s) => void process.stdout.write(s),
  err: { write: (s) => void process.stderr.write(s) },
});
