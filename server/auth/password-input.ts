import type { Writable } from 'node:stream';
import { InvalidRequestError } from '../core/errors';

/**
 * How `robots user passwd` reads a new password: from stdin, never from argv (which `ps` and
 * shell history show). Piped, the first line is the password (`--password-stdin` style, for
 * scripts); at a terminal it is typed twice without echo.
 */
export interface PasswordSource extends AsyncIterable<string | Buffer> {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  on?(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
  removeListener?(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
  resume?(): unknown;
  pause?(): unknown;
}

/** More than any password, so a file piped by mistake is not read whole. */
const MAX_INPUT = 8192;

export async function readNewPassword(input: PasswordSource, prompt: Writable): Promise<string> {
  if (input.isTTY && input.setRawMode) {
    const first = await readHidden(input, prompt, 'New password: ');
    const second = await readHidden(input, prompt, 'Type it again: ');
    if (first !== second) throw new InvalidRequestError('the two passwords differ; nothing was changed');
    return first;
  }
  let text = '';
  for await (const chunk of input) {
    text += chunk.toString();
    if (text.includes('\n') || text.length > MAX_INPUT) break;
  }
  const [line = ''] = text.split(/\r?\n/);
  if (line === '') throw new InvalidRequestError('no password on stdin: pipe it in (printf \'%s\\n\' "$PASSWORD" | robots user passwd <login>) or run at a terminal');
  return line;
}

function readHidden(input: PasswordSource, prompt: Writable, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let typed: string[] = [];
    const finish = (outcome: () => void) => {
      input.removeListener?.('data', onData);
      input.setRawMode?.(false);
      input.pause?.();
      prompt.write('\n');
      outcome();
    };
    const onData = (chunk: string | Buffer) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish(() => resolve(typed.join('')));
        if (char === '\u0003') return finish(() => reject(new InvalidRequestError('cancelled; nothing was changed')));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else if (typed.length < MAX_INPUT) typed.push(char);
      }
    };
    prompt.write(question);
    input.setRawMode?.(true);
    input.on?.('data', onData);
    input.resume?.();
  });
}
