import { describe, expect, it } from 'vitest';
import { encodeToken, pageRequest, PAGE_MAX, toPage } from './paging.js';

describe('paging', () => {
  it('defaults, clamps and validates list parameters', () => {
    expect(pageRequest({})).toEqual({ pageSize: 100, orderBy: 'ID', sortOrder: 'ASC', after: undefined });
    expect(pageRequest({ pageSize: '999999' }).pageSize).toBe(PAGE_MAX);
    expect(pageRequest({ pageSize: '', orderBy: '', sortOrder: '', nextPageToken: '' })).toMatchObject({ pageSize: 100, orderBy: 'ID', sortOrder: 'ASC' });
    for (const bad of [{ pageSize: '0' }, { pageSize: '1.5' }, { orderBy: 'name' }, { sortOrder: 'asc' }, { nextPageToken: '***' }, { nextPageToken: 'e30' }]) {
      expect(() => pageRequest(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'INVALID' }));
    }
  });

  it('issues tokens that continue only the ordering they came from', () => {
    const token = encodeToken({ id: 7, value: 1234 }, 'CREATE_TIME', 'DESC');
    expect(pageRequest({ orderBy: 'CREATE_TIME', sortOrder: 'DESC', nextPageToken: token }).after).toEqual({ id: 7, value: 1234 });
    expect(() => pageRequest({ orderBy: 'CREATE_TIME', nextPageToken: token })).toThrow(/ordered by CREATE_TIME DESC/);
  });

  it('keeps one extra row as the sign of a next page', () => {
    const rows = [1, 2, 3].map((id) => ({ id, createdAt: id * 10, updatedAt: 0 }));
    const request = pageRequest({ pageSize: '2', orderBy: 'CREATE_TIME' });
    const page = toPage(rows, request);
    expect(page.items.map((r) => r.id)).toEqual([1, 2]);
    expect(pageRequest({ orderBy: 'CREATE_TIME', nextPageToken: page.nextPageToken }).after).toEqual({ id: 2, value: 20 });
    expect(toPage(rows.slice(0, 2), request).nextPageToken).toBe('');
  });
});
