// The model-card Markdown subset (web/src/markdown.ts): what it recognises, and that HTML, script
// and unsafe link schemes come out as plain text blocks (the DOM view only ever makes text nodes).
import { describe, expect, it } from 'vitest';
import { MAX_CARD_CHARS, parseInline, parseMarkdown, safeHref } from '../../web/src/markdown.js';

describe('model card markdown', () => {
  it('reads front matter, headings, paragraphs, fenced code and lists', () => {
    const blocks = parseMarkdown('---\nlicense: mit\n---\n# Title #\n\nline one\nline two\n\n```python\nx = 1\n```\n- a\n- `b`\n\n1. first\n2) second\n');
    expect(blocks).toEqual([
      { kind: 'frontmatter', text: 'license: mit' },
      { kind: 'heading', level: 1, content: [{ kind: 'text', text: 'Title' }] },
      { kind: 'paragraph', content: [{ kind: 'text', text: 'line one line two' }] },
      { kind: 'code', text: 'x = 1', info: 'python' },
      { kind: 'list', ordered: false, items: [[{ kind: 'text', text: 'a' }], [{ kind: 'code', text: 'b' }]] },
      { kind: 'list', ordered: true, items: [[{ kind: 'text', text: 'first' }], [{ kind: 'text', text: 'second' }]] },
    ]);
  });

  it('keeps HTML and script as text', () => {
    const source = '<img src=x onerror=alert(1)>\n\n<script>alert(2)</script>\n\n## <b>x</b>';
    const blocks = parseMarkdown(source);
    expect(blocks).toEqual([
      { kind: 'paragraph', content: [{ kind: 'text', text: '<img src=x onerror=alert(1)>' }] },
      { kind: 'paragraph', content: [{ kind: 'text', text: '<script>alert(2)</script>' }] },
      { kind: 'heading', level: 2, content: [{ kind: 'text', text: '<b>x</b>' }] },
    ]);
  });

  it('makes links only of http(s) URLs', () => {
    expect(parseInline('[ok](https://example.com/a) [bad](javascript:alert(1)) [data](data:text/html,x)')).toEqual([
      { kind: 'link', text: 'ok', href: 'https://example.com/a' },
      { kind: 'text', text: ' [bad](javascript:alert(1)) [data](data:text/html,x)' },
    ]);
    expect(safeHref('HTTP://example.com')).toBe(true);
    expect(safeHref('https://x/"onmouseover="a')).toBe(false);
    expect(safeHref('//example.com')).toBe(false);
  });

  it('reads emphasis at word edges only', () => {
    expect(parseInline('**b** *i* _u_ snake_case_name window.__x = __init__')).toEqual([
      { kind: 'strong', text: 'b' },
      { kind: 'text', text: ' ' },
      { kind: 'em', text: 'i' },
      { kind: 'text', text: ' ' },
      { kind: 'em', text: 'u' },
      { kind: 'text', text: ' snake_case_name window.__x = ' },
      { kind: 'strong', text: 'init' },
    ]);
  });

  it('cuts very long cards and says so', () => {
    const blocks = parseMarkdown('x'.repeat(MAX_CARD_CHARS + 10));
    expect(blocks).toHaveLength(2);
    expect(blocks[1]).toEqual({ kind: 'paragraph', content: [{ kind: 'em', text: `(card cut at ${MAX_CARD_CHARS} characters)` }] });
  });
});
