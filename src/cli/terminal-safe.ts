/**
 * Text from the database reaches support's terminal: a path, a user agent or a displayName that a
 * client chose. Control characters in it (ESC sequences, carriage returns, C1 controls) could move
 * the cursor, recolour or rewrite earlier lines, and bidirectional overrides could make one id read
 * as another, so every one of them is shown as a visible escape instead.
 */
// C0 and C1 controls, DEL, bidi embeddings/overrides/isolates and marks, line/paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string) => (c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');

/** For a line of a table or a message: `\u001B[2J` stays readable and does nothing. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${hex(c)}`);
}

/**
 * For JSON output: the same characters as JSON escapes, so the output still parses to the same
 * values (JSON.stringify escapes C0 controls already, but leaves C1 controls and bidi marks raw).
 */
export function jsonTerminalSafe(json: string): string {
  // Raw newlines in JSON.stringify output are only its indentation (inside strings it escapes them).
  return json.replace(UNSAFE, (c) => (c === '\n' ? c : `\\u${hex(c)}`));
}
