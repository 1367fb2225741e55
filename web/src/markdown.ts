// A small, safe Markdown subset for model cards, parsed into plain data (no HTML strings): YAML front
// matter, headings, paragraphs, fenced code, bullet and numbered lists, and inline code, bold,
// italics and http(s) links. Raw HTML in a card is just text. markdown-view.ts turns the result
// into DOM nodes with text nodes only. Pure: no DOM, so it is unit-tested under Node.

/** An inline run of text. */
export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'strong'; text: string }
  | { kind: 'em'; text: string }
  | { kind: 'link'; text: string; href: string };

/** A block of a card. */
export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3 | 4 | 5 | 6; content: Inline[] }
  | { kind: 'paragraph'; content: Inline[] }
  | { kind: 'code'; text: string; info: string }
  | { kind: 'frontmatter'; text: string }
  | { kind: 'list'; ordered: boolean; items: Inline[][] };

/** Cards longer than this are cut (and say so): a UI page is no place for megabytes of text. */
export const MAX_CARD_CHARS = 200_000;

const HEADING = /^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^[ ]{0,3}(`{3,}|~{3,})[ \t]*([^`]*)$/;
const BULLET = /^[ ]{0,3}[-*+][ \t]+(.*)$/;
const NUMBERED = /^[ ]{0,3}\d{1,9}[.)][ \t]+(.*)$/;

/** Parses a card's text into blocks. */
export function parseMarkdown(source: string): Block[] {
  let text = source.replace(/\r\n?/g, '\n');
  const cut = text.length > MAX_CARD_CHARS;
  if (cut) text = text.slice(0, MAX_CARD_CHARS);
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let i = 0;
  if (lines[0] === '---') {
    const end = lines.indexOf('---', 1);
    if (end > 0) {
      blocks.push({ kind: 'frontmatter', text: lines.slice(1, end).join('\n') });
      i = end + 1;
    }
  }
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) blocks.push({ kind: 'paragraph', content: parseInline(paragraph.join(' ')) });
    paragraph = [];
  };
  while (i < lines.length) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const marker = fence[1]!;
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trimStart().startsWith(marker)) body.push(lines[i++]!);
      i++;
      blocks.push({ kind: 'code', text: body.join('\n'), info: fence[2]!.trim() });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1]!.length as 1 | 2 | 3 | 4 | 5 | 6, content: parseInline(heading[2]!) });
      i++;
      continue;
    }
    const listMatch = BULLET.exec(line) ?? NUMBERED.exec(line);
    if (listMatch) {
      flush();
      const ordered = !BULLET.test(line);
      const pattern = ordered ? NUMBERED : BULLET;
      const items: Inline[][] = [];
      while (i < lines.length) {
        const m = pattern.exec(lines[i]!);
        if (m) items.push(parseInline(m[1]!));
        else if (/^[ \t]{2,}\S/.test(lines[i]!) && items.length > 0) items[items.length - 1]!.push({ kind: 'text', text: ` ${lines[i]!.trim()}` });
        else break;
        i++;
      }
      blocks.push({ kind: 'list', ordered, items });
      continue;
    }
    if (line.trim() === '') flush();
    else paragraph.push(line.trim());
    i++;
  }
  flush();
  if (cut) blocks.push({ kind: 'paragraph', content: [{ kind: 'em', text: `(card cut at ${MAX_CARD_CHARS} characters)` }] });
  return blocks;
}

// Underscore emphasis only at word edges (`snake_case_name` and `__init__`-like words stay text).
const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|(?<!\w)__([^_]+)__(?!\w)|\*([^*\s][^*]*)\*|(?<!\w)_([^_\s][^_]*)_(?!\w)|\[([^\]]+)\]\(([^)\s]+)\)/g;

/** Parses inline code, bold, italics and links; everything else stays text. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  const pushText = (t: string) => {
    if (t === '') return;
    const prev = out[out.length - 1];
    if (prev?.kind === 'text') prev.text += t;
    else out.push({ kind: 'text', text: t });
  };
  for (const m of text.matchAll(INLINE)) {
    pushText(text.slice(last, m.index));
    if (m[1] !== undefined) out.push({ kind: 'code', text: m[1] });
    else if (m[2] !== undefined || m[3] !== undefined) out.push({ kind: 'strong', text: (m[2] ?? m[3])! });
    else if (m[4] !== undefined || m[5] !== undefined) out.push({ kind: 'em', text: (m[4] ?? m[5])! });
    else if (safeHref(m[7]!)) out.push({ kind: 'link', text: m[6]!, href: m[7]! });
    else pushText(m[0]);
    last = m.index + m[0].length;
  }
  pushText(text.slice(last));
  return out;
}

/** True for absolute http(s) URLs, the only links a card may carry (no javascript:, data: ...). */
export function safeHref(href: string): boolean {
  return /^https?:\/\/[^\s"'<>]+$/i.test(href);
}
