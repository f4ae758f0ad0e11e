/**
 * Markdown as it should be heard: the words without the markup. Headings and list items end as
 * sentences (a pause, and a chunk boundary the chunker can use), links keep their text, code
 * blocks and raw URLs are left out, and table rows are read cell by cell. Paragraph breaks stay.
 */
export function markdownToSpeech(markdown: string): string {
  const lines = markdown.replace(/^---\n[\s\S]*?\n---\n/, '').split('\n');
  const out: string[] = [];
  let fence: string | undefined;
  for (const raw of lines) {
    const fenceMark = /^\s*(```+|~~~+)/.exec(raw)?.[1];
    if (fence !== undefined) {
      if (fenceMark && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) fence = undefined;
      continue;
    }
    if (fenceMark) {
      fence = fenceMark;
      continue;
    }
    const spoken = line(raw);
    if (spoken !== undefined) out.push(spoken);
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

const sentence = (text: string): string => (text === '' || /[.!?:;…。！？]$/.test(text) ? text : `${text}.`);

/** A line as it is heard; undefined for a line that is dropped without leaving a blank. */
function line(raw: string): string | undefined {
  // Reference definitions ([id]: url) and rules (---, ***) say nothing aloud.
  if (/^\s{0,3}\[[^\]]+\]:\s*\S+/.test(raw) || /^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(raw)) return undefined;
  // Table rows: the separator row is dropped, cells are read in order.
  if (/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(raw) && raw.includes('|')) return undefined;
  if (/^\s*\|.*\|\s*$/.test(raw)) {
    const cells = raw.trim().replace(/^\||\|$/g, '').split('|').map((c) => inline(c.trim())).filter(Boolean);
    return sentence(cells.join(', '));
  }
  const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw);
  if (heading) return sentence(inline(heading[1]!));
  const item = /^(\s*)(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*)$/.exec(raw);
  if (item) return sentence(inline(item[2]!));
  return inline(raw.replace(/^\s{0,3}>\s?/, ''));
}

function inline(text: string): string {
  return text
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
    .replace(/<https?:\/\/[^>]+>/g, '')
    .replace(/<\/?[A-Za-z][^>]*>/g, '')
    .replace(/`+([^`]*)`+/g, '$1')
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
    .replace(/(^|[^\w*])\*(?=\S)(.+?)(?<=\S)\*(?!\w)/g, '$1$2')
    .replace(/(^|[^\w])_(?=\S)(.+?)(?<=\S)_(?!\w)/g, '$1$2')
    .replace(/~~(.+?)~~/g, '$1')
    .replace(/\s+$/, '');
}
