// The one place that turns an argv into a command line, for the remote POSIX
// shell that sshd runs every exec request through. Everything else passes argv
// arrays. Each word is single-quoted unless it is made only of characters no
// POSIX shell treats specially; a single quote inside becomes '\''.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuoteWord(word: string): string {
  if (word.includes('\0')) throw new Error(`Cannot pass an argument containing a NUL byte to a remote command: ${JSON.stringify(word)}`);
  if (word === '') return "''";
  if (SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `argv` as one POSIX shell command line that runs exactly that argv. */
export function shellQuote(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('A remote command needs at least the program name.');
  return argv.map(shellQuoteWord).join(' ');
}
