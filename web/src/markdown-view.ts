// Turns parsed model-card blocks (markdown.ts) into DOM nodes, with every piece of card text in a
// text node; links only for http(s) URLs, opened without referrer or opener.
import { h, type Child } from './dom.js';
import { parseMarkdown, type Block, type Inline } from './markdown.js';

/** The rendered card. */
export function renderMarkdown(source: string): HTMLElement {
  return h('div', { class: 'card-text' }, parseMarkdown(source).map(block));
}

function block(b: Block): Child {
  switch (b.kind) {
    case 'heading':
      // Card headings sit below the page's own h1/h2.
      return h(`h${Math.min(6, b.level + 2)}` as 'h3', null, b.content.map(inline));
    case 'paragraph':
      return h('p', null, b.content.map(inline));
    case 'code':
      return h('pre', null, h('code', null, b.text));
    case 'frontmatter':
      return h('details', { class: 'frontmatter' }, h('summary', null, 'Card metadata'), h('pre', null, h('code', null, b.text)));
    case 'list':
      return h(b.ordered ? 'ol' : 'ul', null, b.items.map((item) => h('li', null, item.map(inline))));
  }
}

function inline(i: Inline): Child {
  switch (i.kind) {
    case 'text':
      return i.text;
    case 'code':
      return h('code', null, i.text);
    case 'strong':
      return h('strong', null, i.text);
    case 'em':
      return h('em', null, i.text);
    case 'link':
      return h('a', { href: i.href, rel: 'noopener noreferrer nofollow' }, i.text);
  }
}
