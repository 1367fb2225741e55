import { describe, expect, it } from 'vitest';
import { isRegistryError } from '../errors.js';
import { parseUploadContentRange, resolveRangeHeader, uploadRangeHeader } from './range.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isRegistryError(err) ? `${err.code}/${err.status}` : 'other';
  }
  return undefined;
}

describe('Range header on blob GETs', () => {
  it('resolves closed, open and suffix ranges, clamping the end', () => {
    expect(resolveRangeHeader('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(resolveRangeHeader('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(resolveRangeHeader('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(resolveRangeHeader('bytes=-1000', 100)).toEqual({ start: 0, end: 99 });
    expect(resolveRangeHeader('bytes=50-5000', 100)).toEqual({ start: 50, end: 99 });
  });

  it('serves the whole blob for no header, other units and multiple ranges', () => {
    expect(resolveRangeHeader(undefined, 100)).toBeNull();
    expect(resolveRangeHeader('items=0-1', 100)).toBeNull();
    expect(resolveRangeHeader('bytes=0-1,5-6', 100)).toBeNull();
  });

  it('rejects unsatisfiable and malformed byte ranges with 416', () => {
    expect(code(() => resolveRangeHeader('bytes=100-', 100))).toBe('RANGE_INVALID/416');
    expect(code(() => resolveRangeHeader('bytes=9-3', 100))).toBe('RANGE_INVALID/416');
    expect(code(() => resolveRangeHeader('bytes=-0', 100))).toBe('RANGE_INVALID/416');
    expect(code(() => resolveRangeHeader('bytes=abc', 100))).toBe('RANGE_INVALID/416');
    expect(code(() => resolveRangeHeader('bytes=0-0', 0))).toBe('RANGE_INVALID/416');
  });
});

describe('upload Content-Range', () => {
  it('parses the spec form and tolerates a bytes prefix and a total', () => {
    expect(parseUploadContentRange('0-99')).toEqual({ start: 0, end: 99 });
    expect(parseUploadContentRange('bytes 100-199/*')).toEqual({ start: 100, end: 199 });
  });

  it('rejects malformed and inverted ranges', () => {
    expect(code(() => parseUploadContentRange('abc'))).toBe('BLOB_UPLOAD_INVALID/416');
    expect(code(() => parseUploadContentRange('10-5'))).toBe('BLOB_UPLOAD_INVALID/416');
    expect(code(() => parseUploadContentRange('-5'))).toBe('BLOB_UPLOAD_INVALID/416');
  });

  it('reports received bytes as 0-<last byte>, and 0-0 when empty', () => {
    expect(uploadRangeHeader(0)).toBe('0-0');
    expect(uploadRangeHeader(10)).toBe('0-9');
  });
});
