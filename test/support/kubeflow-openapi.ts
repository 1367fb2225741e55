// A client for the Kubeflow Model Registry API that validates every response against the OpenAPI
// contract (a copy of ../shared/reference/kubeflow-model-registry.v1alpha3.openapi.yaml) with ajv, and counts
// which of its operations a test run exercised. OpenAPI discriminators become if/then chains, the
// way OpenAPI defines them (the mapped schema for the discriminator value), which plain oneOf is not.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { withBasic, type Credentials } from './registry-auth.js';

const SPEC_PATH = resolve(import.meta.dirname, '../model-registry/kubeflow-model-registry.v1alpha3.openapi.yaml');
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;

/** An operation of the contract. */
export interface SpecOperation {
  operationId: string;
  method: string;
  path: string;
  /** Response schema refs by status code (`$ref` strings into the spec). */
  responses: Record<string, string | null>;
}

/** A validated reply. */
export interface KfReply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The contract, compiled once per process. */
export class KubeflowContract {
  readonly operations: SpecOperation[] = [];
  readonly exercised = new Set<string>();
  readonly validated = { responses: 0 };
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(specPath = SPEC_PATH) {
    const spec = parse(readFileSync(specPath, 'utf8')) as Json;
    rewriteDiscriminators(spec);
    this.ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateSchema: false }));
    this.ajv.addSchema(spec, 'spec');
    const components = spec.components as { responses: Record<string, Json> };
    for (const [path, item] of Object.entries(spec.paths as Record<string, Json>)) {
      for (const method of ['get', 'post', 'patch', 'put', 'delete']) {
        const op = item[method] as Json | undefined;
        if (!op) continue;
        const responses: Record<string, string | null> = {};
        for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
          const resolved = typeof response.$ref === 'string' ? components.responses[response.$ref.split('/').pop()!]! : response;
          const schema = ((resolved.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema as Json | undefined;
          responses[status] = typeof schema?.$ref === 'string' ? schema.$ref : null;
        }
        this.operations.push({ operationId: op.operationId as string, method: method.toUpperCase(), path, responses });
      }
    }
  }

  /** The operation `method path` (a concrete URL path) belongs to. */
  operationFor(method: string, urlPath: string): SpecOperation | undefined {
    return this.operations.find((op) => op.method === method && new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(urlPath));
  }

  /**
   * Checks a response against the schema of its operation and status. A status the operation does not
   * declare must be an error carrying the Error schema; a success status must be declared.
   */
  check(op: SpecOperation, status: number, body: unknown): string[] {
    this.validated.responses++;
    let ref = op.responses[String(status)];
    if (ref === undefined) {
      if (status < 400) return [`${op.operationId} answered ${status}, which the contract does not declare`];
      ref = '#/components/schemas/Error';
    }
    if (ref === null) return [];
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `spec${ref}` });
      this.validators.set(ref, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${op.operationId} ${status}: ${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }

  /** A client of a Berth at `base` that validates each reply and fails on any contract violation. */
  client(base: string, creds?: Credentials) {
    const call = async (method: string, path: string, options: { query?: Record<string, string | undefined>; body?: unknown } = {}): Promise<KfReply> => {
      const url = new URL(`${base}/api/model_registry/v1alpha3${path}`);
      for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
      const headers: Record<string, string> = { accept: 'application/json', ...(creds ? withBasic(creds.username, creds.password) : {}) };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(url, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`${method} ${path}: ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
      }
      const op = this.operationFor(method, `/api/model_registry/v1alpha3${url.pathname.slice(url.pathname.indexOf('/v1alpha3') + 9)}`);
      if (!op) throw new Error(`${method} ${path} is not an operation of the contract`);
      this.exercised.add(op.operationId);
      const problems = this.check(op, res.status, body);
      if (problems.length > 0) throw new Error(`response violates the contract:\n${problems.join('\n')}\nbody: ${text.slice(0, 2000)}`);
      return { status: res.status, body };
    };
    return {
      get: (path: string, query?: Record<string, string | undefined>) => call('GET', path, { query }),
      post: (path: string, body: unknown) => call('POST', path, { body }),
      patch: (path: string, body: unknown) => call('PATCH', path, { body }),
    };
  }
}

/** Replaces every `oneOf` + `discriminator.mapping` by the OpenAPI meaning: the mapped schema for the value. */
function rewriteDiscriminators(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(rewriteDiscriminators);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const obj = node as Json;
  const discriminator = obj.discriminator as { propertyName: string; mapping?: Record<string, string> } | undefined;
  if (discriminator?.mapping && Array.isArray(obj.oneOf)) {
    const prop = discriminator.propertyName;
    const mapping = discriminator.mapping;
    delete obj.oneOf;
    delete obj.discriminator;
    obj.type = 'object';
    obj.required = [prop];
    obj.properties = { [prop]: { enum: Object.keys(mapping) } };
    obj.allOf = Object.entries(mapping).map(([value, ref]) => ({ if: { properties: { [prop]: { const: value } } }, then: { $ref: ref } }));
  }
  for (const value of Object.values(obj)) rewriteDiscriminators(value);
}
