// What a page receives from the router, and the route table's shape.
import type { Session } from './session.js';

/** The current route and a place to render it. */
export interface PageContext {
  /** The element a page renders into (it starts empty). */
  main: HTMLElement;
  /** The decoded path segments after `#/`. */
  segments: string[];
  query: URLSearchParams;
  session: Session | null;
  /** False once the user has moved on: a page stops rendering late results. */
  current(): boolean;
  /** Sets the document title (`<title> · Berth`). */
  title(text: string): void;
  /** Renders the current route again (after an action changed what it shows). */
  refresh(): void;
  /** Re-renders the header after signing in or out. */
  sessionChanged(): void;
}

/** A page: renders itself into `ctx.main`. */
export type Page = (ctx: PageContext) => Promise<void>;
