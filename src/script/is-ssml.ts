/**
 * Whether a script is SSML: a `.ssml` file, or text whose root element is `<speak>` after an
 * optional byte-order mark, XML declaration, comments and doctype. Kept apart from the SSML reader,
 * so that deciding costs no XML parser at start-up.
 */
export function isSsml(text: string, path?: string): boolean {
  if (path !== undefined && /\.ssml$/i.test(path)) return true;
  // A prologue longer than this is not one a person wrote.
  const head = text.slice(0, 65_536);
  return /^\uFEFF?\s*(?:<\?xml[^]*?\?>\s*)?(?:<!--[^]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<speak[\s/>]/.test(head);
}
