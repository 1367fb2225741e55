// Offline schema validation of rendered Kubernetes objects, two ways over the same upstream OpenAPI:
// kubernetes-models' JSON-schema validators (types, required fields, int32/enum formats), and its
// TypeScript interfaces checked by the compiler, whose excess-property check rejects unknown fields
// as `kubectl apply --validate=strict` would (the JSON schemas allow them, Kubernetes drops them).
import { resolve } from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A rendered Kubernetes object. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: Json;
}

/** Parses a multi-document YAML stream; a document that is not an object with apiVersion/kind/name throws. */
export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`document ${i}: ${doc.errors[0]!.message}`);
    const o = doc.toJS() as Json;
    if (typeof o?.apiVersion !== 'string' || typeof o?.kind !== 'string' || typeof o?.metadata?.name !== 'string') {
      throw new Error(`document ${i} is not a Kubernetes object: ${JSON.stringify(o).slice(0, 200)}`);
    }
    return o as K8sObject;
  });
}

/** The kubernetes-models module path of an object's type, e.g. apps/v1/Deployment or v1/Service. */
function modelPath(o: K8sObject): string {
  return `${o.apiVersion}/${o.kind}`;
}

/** Schema errors of each object, as "Kind/name: message"; empty when every object is valid. */
export async function schemaErrors(objects: K8sObject[]): Promise<string[]> {
  const errors: string[] = [];
  for (const o of objects) {
    let model: Json;
    try {
      model = await import(/* @vite-ignore */ `kubernetes-models/${modelPath(o)}`);
    } catch {
      errors.push(`${o.kind}/${o.metadata.name}: no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new model[o.kind](o).validate();
    } catch (err) {
      errors.push(`${o.kind}/${o.metadata.name}: ${(err as Error).message}`);
    }
  }
  return [...errors, ...typeErrors(objects)];
}

/** Type-checks each object as a literal of its kubernetes-models interface: unknown fields fail here. */
function typeErrors(objects: K8sObject[]): string[] {
  // A virtual file beside this one, so `kubernetes-models` resolves from the repository's node_modules.
  const file = resolve(import.meta.dirname, '__rendered-objects__.ts');
  const lines = objects.map((o, i) => `import type { I${o.kind} as T${i} } from 'kubernetes-models/${modelPath(o)}';`);
  const first = lines.length;
  lines.push(...objects.map((o, i) => `export const o${i}: T${i} = ${JSON.stringify(o)};`));
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, version, ...rest) => (name === file ? ts.createSourceFile(name, source, version) : getSourceFile.call(host, name, version, ...rest));
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  host.readFile = (name) => (name === file ? source : readFile.call(host, name));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    const o = objects[line - first];
    const where = o ? `${o.kind}/${o.metadata.name}` : `line ${line}`;
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}
