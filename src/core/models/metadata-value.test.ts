import { describe, expect, it } from 'vitest';
import { parseCustomProperties } from './metadata-value.js';
import { localHosts, parseOciUri } from './oci-uri.js';

describe('custom properties', () => {
  it('accepts every MetadataValue type and normalises integers', () => {
    expect(parseCustomProperties({
      s: { metadataType: 'MetadataStringValue', string_value: '' },
      i: { metadataType: 'MetadataIntValue', int_value: '-42' },
      n: { metadataType: 'MetadataIntValue', int_value: 7 },
      d: { metadataType: 'MetadataDoubleValue', double_value: 1e-3 },
      b: { metadataType: 'MetadataBoolValue', bool_value: false },
      st: { metadataType: 'MetadataStructValue', struct_value: 'e30=' },
      p: { metadataType: 'MetadataProtoValue', type: 'x', proto_value: '' },
    })).toMatchObject({ i: { int_value: '-42' }, n: { int_value: '7' }, b: { bool_value: false } });
    expect(parseCustomProperties(undefined)).toEqual({});
  });

  it('names the property that is wrong', () => {
    const cases: Array<[unknown, RegExp]> = [
      [[], /must be an object/],
      [{ a: 'x' }, /customProperties.a must be a MetadataValue object/],
      [{ a: { metadataType: 'MetadataIntValue', int_value: '1.5' } }, /customProperties.a.int_value/],
      [{ a: { metadataType: 'MetadataIntValue', int_value: '99999999999999999999' } }, /int_value/],
      [{ a: { metadataType: 'MetadataDoubleValue', double_value: 'x' } }, /finite number/],
      [{ a: { metadataType: 'MetadataStringValue', string_value: 'x', int_value: '1' } }, /does not take int_value/],
      [{ a: { metadataType: 'MetadataStructValue', struct_value: 'not base64!' } }, /base64/],
      [{ a: { metadataType: 'MetadataStringValue', string_value: 'a\u0000b' } }, /NUL/],
      [{ '': { metadataType: 'MetadataStringValue', string_value: 'x' } }, /property names/],
      [{ a: { metadataType: 'Other' } }, /metadataType must be one of/],
    ];
    for (const [value, message] of cases) expect(() => parseCustomProperties(value)).toThrow(message);
  });
});

describe('oci:// URIs', () => {
  it('parses digest and tag references and refuses malformed ones', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseOciUri(`oci://Berth.example:5050/llm/tiny@${digest}`)).toEqual({ host: 'berth.example:5050', repository: 'llm/tiny', reference: digest });
    expect(parseOciUri('oci://h/llm/tiny:v1')).toEqual({ host: 'h', repository: 'llm/tiny', reference: 'v1' });
    expect(parseOciUri('oci://h/llm/tiny')).toEqual({ host: 'h', repository: 'llm/tiny', reference: 'latest' });
    for (const bad of ['s3://h/x', 'oci://h', 'oci://h/UPPER/x:v1', 'oci://h/x@sha256:zz', 'oci://h/x:bad tag']) expect(parseOciUri(bad), bad).toBeNull();
  });

  it('knows loopback spellings of its own address', () => {
    const hosts = localHosts(['127.0.0.1:5050', 'berth.example.com']);
    expect([...hosts].sort()).toEqual(['127.0.0.1:5050', '[::1]:5050', 'berth.example.com', 'localhost:5050']);
  });
});
