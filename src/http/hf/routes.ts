// The Hugging Face Hub download surface as a table. Repo ids are `<project>/<model>`; revisions and
// file paths may arrive %2F-encoded (huggingface_hub) or raw (@huggingface/hub), so paths are split
// into segments and decoded one by one here rather than by Fastify's router.
// https://huggingface.co/docs/hub/api  and ../shared/reference/kubeai-and-hf-hub-api.md section 3.1
import * as h from './handlers.js';
import type { HfHandler } from './handlers.js';

/** One row: the method, a matcher over decoded segments, and the handler. Every route needs pull. */
export interface HfRoute {
  method: 'GET' | 'HEAD' | 'POST';
  /** Returns the captured parts when `segments` match, else null. */
  match: (segments: string[]) => HfParams | null;
  permission: 'pull' | 'authenticated';
  handler: HfHandler;
}

/** What a route captures. */
export interface HfParams {
  repository?: string;
  revision?: string;
  path?: string;
}

const api = (kind: string, withPath: boolean) => (s: string[]): HfParams | null => {
  if (s[0] !== 'api' || s[1] !== 'models' || s.length < 5 || s[4] !== kind) return null;
  if (s.length < 6) return null;
  const rest = s.slice(6).join('/');
  if (!withPath && rest !== '') return null;
  return { repository: `${s[2]}/${s[3]}`, revision: s[5], path: rest };
};

const info = (s: string[]): HfParams | null => {
  if (s[0] !== 'api' || s[1] !== 'models') return null;
  if (s.length === 4) return { repository: `${s[2]}/${s[3]}` };
  if (s.length === 6 && s[4] === 'revision') return { repository: `${s[2]}/${s[3]}`, revision: s[5] };
  return null;
};

const file = (kind: 'resolve' | 'raw') => (s: string[]): HfParams | null => {
  if (s.length < 5 || s[2] !== kind || s[0] === 'api') return null;
  return { repository: `${s[0]}/${s[1]}`, revision: s[3], path: s.slice(4).join('/') };
};

/** Every Hub endpoint Berth serves. */
export const HF_ROUTES: readonly HfRoute[] = [
  { method: 'GET', match: info, permission: 'pull', handler: h.modelInfo },
  { method: 'GET', match: api('tree', true), permission: 'pull', handler: h.tree },
  { method: 'POST', match: api('paths-info', false), permission: 'pull', handler: h.pathsInfo },
  { method: 'HEAD', match: file('resolve'), permission: 'pull', handler: h.resolveFile },
  { method: 'GET', match: file('resolve'), permission: 'pull', handler: h.resolveFile },
  { method: 'HEAD', match: file('raw'), permission: 'pull', handler: h.rawFile },
  { method: 'GET', match: file('raw'), permission: 'pull', handler: h.rawFile },
  { method: 'GET', match: (s) => (s.length === 2 && s[0] === 'api' && s[1] === 'whoami-v2' ? {} : null), permission: 'authenticated', handler: h.whoami },
];

/** Splits a raw URL path into decoded segments; null when an escape is malformed. */
export function segmentsOf(rawPath: string): string[] | null {
  try {
    return rawPath
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
}
