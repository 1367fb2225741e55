// Paging of metadata listings: `pageSize`, `orderBy`, `sortOrder` and opaque `nextPageToken`s.
// Pages are keyset pages (the sort value and id of the last item), so inserts between calls never
// repeat or skip an item; a token only continues the ordering it was issued for.
// https://github.com/kubeflow/model-registry/blob/main/api/openapi/model-registry.yaml (parameters)
import { RegistryError } from '../errors.js';

/** What a listing is sorted by. */
export type OrderBy = 'ID' | 'CREATE_TIME' | 'LAST_UPDATE_TIME';

/** Sort direction. */
export type SortOrder = 'ASC' | 'DESC';

/** Where a page starts: strictly after this item in the chosen order. */
export interface Cursor {
  id: number;
  /** The item's sort value (its id, creation or update time). */
  value: number;
}

/** A validated page request. */
export interface PageRequest {
  pageSize: number;
  orderBy: OrderBy;
  sortOrder: SortOrder;
  after?: Cursor | undefined;
}

/** A page of results as the API returns it. */
export interface ResultPage<T> {
  items: T[];
  pageSize: number;
  nextPageToken: string;
}

/** Page size when the caller gives none, and the most one page holds. */
export const PAGE_DEFAULT = 100;
export const PAGE_MAX = 1000;

const ORDERS: readonly OrderBy[] = ['ID', 'CREATE_TIME', 'LAST_UPDATE_TIME'];

/** Validates raw list parameters (all optional strings, as they come from a query string). */
export function pageRequest(params: { pageSize?: string | undefined; orderBy?: string | undefined; sortOrder?: string | undefined; nextPageToken?: string | undefined }): PageRequest {
  let pageSize = PAGE_DEFAULT;
  if (params.pageSize !== undefined && params.pageSize !== '') {
    if (!/^[1-9][0-9]{0,8}$/.test(params.pageSize)) throw invalid('pageSize must be a positive integer');
    pageSize = Math.min(Number(params.pageSize), PAGE_MAX);
  }
  const orderBy = (params.orderBy === undefined || params.orderBy === '' ? 'ID' : params.orderBy) as OrderBy;
  if (!ORDERS.includes(orderBy)) throw invalid(`orderBy must be one of ${ORDERS.join(', ')}`);
  const sortOrder = (params.sortOrder === undefined || params.sortOrder === '' ? 'ASC' : params.sortOrder) as SortOrder;
  if (sortOrder !== 'ASC' && sortOrder !== 'DESC') throw invalid('sortOrder must be ASC or DESC');
  const token = params.nextPageToken;
  const after = token === undefined || token === '' ? undefined : decodeToken(token, orderBy, sortOrder);
  return { pageSize, orderBy, sortOrder, after };
}

/** The token that continues after `cursor` in the given ordering. */
export function encodeToken(cursor: Cursor, orderBy: OrderBy, sortOrder: SortOrder): string {
  return Buffer.from(JSON.stringify({ i: cursor.id, v: cursor.value, o: orderBy, s: sortOrder }), 'utf8').toString('base64url');
}

function decodeToken(token: string, orderBy: OrderBy, sortOrder: SortOrder): Cursor {
  const bad = () => invalid('nextPageToken is not a token this server issued; pass the value from the previous response unchanged');
  if (token.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(token)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const t = parsed as { i?: unknown; v?: unknown; o?: unknown; s?: unknown };
  if (typeof t !== 'object' || t === null || !Number.isSafeInteger(t.i) || !Number.isSafeInteger(t.v)) throw bad();
  if (t.o !== orderBy || t.s !== sortOrder) throw invalid(`nextPageToken continues a listing ordered by ${String(t.o)} ${String(t.s)}; ask with the same orderBy and sortOrder`);
  return { id: t.i as number, value: t.v as number };
}

/** The sort value of an item for `orderBy`. */
export function sortValue(item: { id: number; createdAt: number; updatedAt: number }, orderBy: OrderBy): number {
  return orderBy === 'ID' ? item.id : orderBy === 'CREATE_TIME' ? item.createdAt : item.updatedAt;
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row, when present, says a next page exists,
 * and the token points after the last row kept.
 */
export function toPage<T extends { id: number; createdAt: number; updatedAt: number }>(rows: T[], request: PageRequest): ResultPage<T> {
  if (rows.length <= request.pageSize) return { items: rows, pageSize: request.pageSize, nextPageToken: '' };
  const items = rows.slice(0, request.pageSize);
  const last = items[items.length - 1]!;
  return { items, pageSize: request.pageSize, nextPageToken: encodeToken({ id: last.id, value: sortValue(last, request.orderBy) }, request.orderBy, request.sortOrder) };
}

function invalid(message: string): RegistryError {
  return new RegistryError('INVALID', message);
}
