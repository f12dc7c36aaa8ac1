/** The C2C_ codes of captured log lines (see test/bitrix/capture-logger.ts), in order. */
export function logCodes(lines: readonly string[]): string[] {
  return lines.map((l) => (JSON.parse(l) as { code?: string }).code).filter((c): c is string => !!c && c.startsWith('C2C_'));
}
