// Builds DOM nodes from data without ever parsing HTML: text goes in through text nodes and
// attributes through setAttribute, so names, model cards and properties from the API cannot inject
// markup or script. Nothing in the UI uses innerHTML.

/** A child of `h`: a node, text (numbers are shown as text), or nothing. */
export type Child = Node | string | number | null | undefined | false | Child[];

/** Attributes and listeners: `on*` functions become event listeners, `true` a bare attribute. */
export type Props = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** Creates an element with `props` and `children` (text children become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children (flattening arrays, skipping empties) to `parent`. */
export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces everything inside `parent` with `children`. */
export function replace(parent: HTMLElement, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** An in-app link to a hash route built from raw path segments (each one percent-encoded). */
export function link(segments: string[], ...children: Child[]): HTMLAnchorElement {
  return h('a', { href: hrefOf(segments) }, ...children);
}

/** The `#/...` address of a route from raw path segments. */
export function hrefOf(segments: string[], query?: Record<string, string>): string {
  const q = query ? new URLSearchParams(query).toString() : '';
  return `#/${segments.map(encodeURIComponent).join('/')}${q ? `?${q}` : ''}`;
}
