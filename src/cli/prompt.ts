// Reading a secret for the CLI: from stdin when piped (--password-stdin), or a prompt that does not echo.
import { createInterface } from 'node:readline';

/** Reads all of stdin, trimmed of the trailing newline. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks for a secret on the terminal without echoing it. */
export function promptSecret(question: string): Promise<string> {
  if (!process.stdin.isTTY) return readStdin();
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const mutable = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stderr.write(question);
    mutable._writeToOutput = () => undefined;
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
