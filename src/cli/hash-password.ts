/**
 * `asterisk-b24 hash-password [PASSWORD]`: prints the scrypt hash for `admin.passwordHash` or an `admin.users[].passwordHash` (viewers too).
 * Without an argument the password is read from stdin (so it stays out of the shell history):
 * `printf '%s' 's3cret' | asterisk-b24 hash-password`.
 */
import { hashPassword } from '../adapters/http/auth.js';
import type { CliIo } from './main.js';

export interface HashPasswordInput {
  /** Where the password comes from when no argument is given (default: process.stdin). */
  readonly stdin?: AsyncIterable<Buffer | string>;
}

const USAGE = 'usage: asterisk-b24 hash-password [PASSWORD]   (or the password on stdin)\n';

export async function runHashPassword(argv: string[], io: CliIo, input: HashPasswordInput = {}): Promise<number> {
  if (argv.length > 1 || argv[0] === '--help' || argv[0] === '-h') {
    io.err.write(USAGE);
    return 2;
  }
  let password = argv[0];
  if (password === undefined) {
    let text = '';
    for await (const chunk of input.stdin ?? process.stdin) text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    password = text.replace(/\r?\n$/, '');
  }
  if (!password) {
    io.err.write(`asterisk-b24 hash-password: empty password (CLI_EMPTY_PASSWORD)\n${USAGE}`);
    return 2;
  }
  io.write(`${await hashPassword(password)}\n`);
  return 0;
}
