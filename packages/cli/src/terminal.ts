/** Reading stdin and asking on a terminal (the process's edge; commands go through `Io`). */
export async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  input.setEncoding('utf8');
  for await (const chunk of input) text += chunk;
  return text;
}

/** Asks a question and reads one line, echoed. */
export function readLine(
  input: NodeJS.ReadStream,
  output: NodeJS.WritableStream,
  question: string,
): Promise<string> {
  return readRaw(input, output, question, true);
}

/** Asks a question and reads one line without echoing it; Ctrl-C aborts. */
export function readHidden(
  input: NodeJS.ReadStream,
  output: NodeJS.WritableStream,
  question: string,
): Promise<string> {
  return readRaw(input, output, question, false);
}

/** One line in raw mode: Enter ends it, backspace erases, Ctrl-C aborts, a leading newline is skipped. */
function readRaw(
  input: NodeJS.ReadStream,
  output: NodeJS.WritableStream,
  question: string,
  echo: boolean,
): Promise<string> {
  output.write(question);
  return new Promise((resolve, reject) => {
    let answer = '';
    let started = false;
    const wasRaw = input.isRaw;
    const done = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode?.(wasRaw);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(answer);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (!started && ch === '\n') continue;
        started = true;
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new Error('interrupted'));
        if (ch === '\u007f' || ch === '\b') {
          if (answer && echo) output.write('\b \b');
          answer = answer.slice(0, -1);
        } else {
          answer += ch;
          if (echo) output.write(ch);
        }
      }
    };
    input.setRawMode?.(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}
