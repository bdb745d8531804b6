/** Where CLI output goes (tests capture it). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** stdout / stderr. */
export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Prints `value` as pretty JSON. */
export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
