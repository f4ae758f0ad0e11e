/**
 * Control characters in text from outside (a file, a provider's message, a flag's value). A terminal
 * obeys them: `\e]0;…\a` retitles its window, `\e[2J` clears it, and worse. They are escaped in
 * anything printed and dropped from what is spoken. Tab and newline are text; the rest of C0, DEL
 * and C1 are not.
 */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** Line and page breaks that are not "\n": kept as one, so the words either side stay apart. */
const BREAKS = /[\u000b\u000c\u0085]/g;

/** `\x1b]0;title\x07` instead of an escape sequence the terminal would run. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The text as it should be spoken: control characters gone, vertical tab, form feed and NEL as newlines. */
export function dropControls(text: string): string {
  return text.replace(BREAKS, '\n').replace(CONTROLS, '');
}

/** JSON with no raw DEL or C1 left in its strings: JSON.stringify escapes only C0. */
export function escapeJsonControls(json: string): string {
  return json.replace(/[\u007f-\u009f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
