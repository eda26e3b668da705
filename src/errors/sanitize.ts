/**
 * Text from a recipe (a node type, a path, a key) can hold terminal control sequences: ESC [ … moves the cursor,
 * rewrites the title, hides lines; C1 controls (U+0080–U+009F) do the same on some terminals; bidirectional
 * overrides reorder what is shown. Everything dreamflow prints passes through `printable`, which shows such
 * characters as escapes (\x1b, \u202e) instead of sending them to the terminal. Newlines and tabs stay.
 */

// C0 but \t and \n, DEL, C1, and the bidi embedding/override/isolate controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` safe to print on a terminal: control characters but newline and tab become visible escapes. */
export function printable(text: string): string {
  return text.replace(CONTROL, escape);
}

/** A JSON line safe for a terminal: JSON already escapes C0; C1 and bidi controls get \u escapes too. */
export function printableJson(line: string): string {
  return line.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Whether `name` holds any control character (newline and tab included): such output names are refused. */
export function hasControlChars(name: string): boolean {
  return ANY_CONTROL.test(name);
}
