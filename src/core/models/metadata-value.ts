// Typed custom properties of model metadata: Kubeflow's MetadataValue, a union discriminated by
// `metadataType`, checked once here so every store and surface holds only well-formed values.
// https://github.com/kubeflow/model-registry/blob/main/api/openapi/model-registry.yaml (MetadataValue)
import { RegistryError } from '../errors.js';

/** One custom property value. */
export type MetadataValue =
  | { metadataType: 'MetadataStringValue'; string_value: string }
  | { metadataType: 'MetadataIntValue'; int_value: string }
  | { metadataType: 'MetadataDoubleValue'; double_value: number }
  | { metadataType: 'MetadataBoolValue'; bool_value: boolean }
  | { metadataType: 'MetadataStructValue'; struct_value: string }
  | { metadataType: 'MetadataProtoValue'; type: string; proto_value: string };

/** The custom properties of an entity, by name. */
export type CustomProperties = Record<string, MetadataValue>;

/** The metadataType names. */
export const METADATA_TYPES = ['MetadataStringValue', 'MetadataIntValue', 'MetadataDoubleValue', 'MetadataBoolValue', 'MetadataStructValue', 'MetadataProtoValue'] as const;

/**
 * Integers as the spec writes them: decimal strings. The spec says int32, clients send int64;
 * Berth keeps anything a JavaScript number holds exactly.
 */
const INT = /^-?(0|[1-9][0-9]{0,15})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MAX_PROPERTIES = 256;
const MAX_NAME = 255;
const MAX_VALUE = 1 << 16;

/** Validates a `customProperties` object from a request; throws INVALID naming the bad property. */
export function parseCustomProperties(value: unknown, where = 'customProperties'): CustomProperties {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`${where} must be an object`);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_PROPERTIES) throw invalid(`${where} holds at most ${MAX_PROPERTIES} properties`);
  const out: CustomProperties = {};
  for (const [name, raw] of entries) {
    if (name === '' || name.length > MAX_NAME || hasControl(name)) throw invalid(`${where}: property names are 1-${MAX_NAME} printable characters`);
    out[name] = parseMetadataValue(raw, `${where}.${name}`);
  }
  return out;
}

/** Validates one MetadataValue. */
export function parseMetadataValue(raw: unknown, where: string): MetadataValue {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(`${where} must be a MetadataValue object`);
  const v = raw as Record<string, unknown>;
  const type = v.metadataType;
  const allowed = (keys: string[]) => {
    const extra = Object.keys(v).filter((k) => k !== 'metadataType' && !keys.includes(k));
    if (extra.length > 0) throw invalid(`${where}: ${String(type)} does not take ${extra.join(', ')}`);
  };
  switch (type) {
    case 'MetadataStringValue':
      allowed(['string_value']);
      return { metadataType: type, string_value: text(v.string_value, `${where}.string_value`) };
    case 'MetadataIntValue': {
      allowed(['int_value']);
      const n = v.int_value;
      const s = typeof n === 'number' && Number.isSafeInteger(n) ? String(n) : n;
      if (typeof s !== 'string' || !INT.test(s) || !Number.isSafeInteger(Number(s))) throw invalid(`${where}.int_value must be an integer written as a string, e.g. "42"`);
      return { metadataType: type, int_value: String(Number(s)) };
    }
    case 'MetadataDoubleValue': {
      allowed(['double_value']);
      const d = v.double_value;
      if (typeof d !== 'number' || !Number.isFinite(d)) throw invalid(`${where}.double_value must be a finite number`);
      return { metadataType: type, double_value: d };
    }
    case 'MetadataBoolValue':
      allowed(['bool_value']);
      if (typeof v.bool_value !== 'boolean') throw invalid(`${where}.bool_value must be true or false`);
      return { metadataType: type, bool_value: v.bool_value };
    case 'MetadataStructValue':
      allowed(['struct_value']);
      return { metadataType: type, struct_value: base64(v.struct_value, `${where}.struct_value`) };
    case 'MetadataProtoValue':
      allowed(['type', 'proto_value']);
      return { metadataType: type, type: text(v.type, `${where}.type`), proto_value: base64(v.proto_value, `${where}.proto_value`) };
    default:
      throw invalid(`${where}.metadataType must be one of ${METADATA_TYPES.join(', ')}`);
  }
}

/** A string MetadataValue. */
export function stringValue(value: string): MetadataValue {
  return { metadataType: 'MetadataStringValue', string_value: value };
}

/** An integer MetadataValue (int64 as a decimal string, as the Kubeflow API encodes it). */
export function intValue(value: number): MetadataValue {
  return { metadataType: 'MetadataIntValue', int_value: String(Math.trunc(value)) };
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw invalid(`${where} must be a string`);
  if (value.length > MAX_VALUE) throw invalid(`${where} is longer than ${MAX_VALUE} characters`);
  if (value.includes('\0')) throw invalid(`${where} contains a NUL character`);
  return value;
}

function base64(value: unknown, where: string): string {
  const s = text(value, where);
  if (!BASE64.test(s)) throw invalid(`${where} must be base64`);
  return s;
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function invalid(message: string): RegistryError {
  return new RegistryError('INVALID', message);
}
