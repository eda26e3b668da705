/**
 * What a terminal shows after some output: the bytes go through a real terminal emulator (@xterm/headless, the
 * engine of VS Code's terminal), so cursor moves, line clears and redraws count as they would on screen.
 */
import xterm from '@xterm/headless';

export async function renderScreen(bytes: string, cols = 100, rows = 60): Promise<string[]> {
  // convertEol: "\n" also returns the cursor to column 1, as a pseudo-terminal's line discipline (onlcr) does for
  // a program's output; output captured from a real one already has "\r\n".
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 1000, convertEol: true });
  await new Promise<void>((done) => term.write(bytes, done));
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
  term.dispose();
  while (lines.length && lines.at(-1) === '') lines.pop();
  return lines;
}
