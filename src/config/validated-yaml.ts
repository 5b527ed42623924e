import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document, type Node } from 'yaml';
import { ConfigError, ConfigErrors, UserError } from '../errors.js';

export type YamlPath = readonly (string | number)[];

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A YAML file validated against a schema, which can still say where each value was written. */
export interface LocatedYaml<T> {
  readonly file: string;
  readonly value: T;
  locate(path: YamlPath): Position;
  /** A ConfigError pointing at the value at `path`. */
  errorAt(path: YamlPath, detail: string): ConfigError;
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
const validators = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let validate = validators.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

/** Files larger than this are not plans or rule sets; refusing them keeps a stray dump from hanging the run. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

function readConfig(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'the file does not exist' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new UserError(`Cannot read the ${what} ${file}: ${reason}. Check the path you gave.`);
  }
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) {
    throw new UserError(`The ${what} ${file} is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB; that is not a ${what}. Check the path you gave.`);
  }
  return text;
}

export function loadValidatedYaml<T>(file: string, schema: object, what: string): LocatedYaml<T> {
  const text = readConfig(file, what);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });

  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const errorAtOffset = (offset: number, detail: string): ConfigError => {
    const p = position(offset);
    return new ConfigError(file, p.line, p.column, detail);
  };

  if (doc.errors.length > 0) {
    throw new ConfigErrors(
      doc.errors.map((e) => {
        const lp = e.linePos?.[0];
        return new ConfigError(file, lp?.line ?? 1, lp?.col ?? 1, `YAML syntax error: ${e.message.split('\n')[0]}`);
      }),
    );
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) {
    throw new ConfigErrors([new ConfigError(file, 1, 1, `the ${what} is empty`)]);
  }

  const locate = (path: YamlPath): Position => position(offsetOf(doc, path));
  const validate = validatorFor(schema);
  if (!validate(value)) {
    const errors = (validate.errors ?? []).map((e) => describeSchemaError(doc, e, errorAtOffset));
    throw new ConfigErrors(dedupe(errors));
  }
  return {
    file,
    value: value as T,
    locate,
    errorAt(path, detail) {
      const p = locate(path);
      return new ConfigError(file, p.line, p.column, detail);
    },
  };
}

function dedupe(errors: ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errors.filter((e) => (seen.has(e.message) ? false : (seen.add(e.message), true)));
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function nodeAt(doc: Document, path: YamlPath): Node | undefined {
  let node: unknown = doc.contents;
  for (const key of path) {
    if (!isMap(node) && !(node && typeof node === 'object' && 'items' in node)) return undefined;
    const collection = node as { get(k: unknown, keepScalar: true): unknown; items: unknown[] };
    const k = typeof key === 'string' && /^\d+$/.test(key) && !isMap(node) ? Number(key) : key;
    node = collection.get(k, true);
  }
  return node as Node | undefined;
}

/** Offset of the value at `path`, or of the deepest ancestor that exists. */
function offsetOf(doc: Document, path: YamlPath): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = nodeAt(doc, path.slice(0, depth));
    if (node?.range) return node.range[0];
  }
  return 0;
}

function keyOffset(doc: Document, parentPath: YamlPath, key: string): number {
  const parent = nodeAt(doc, parentPath);
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
  }
  return offsetOf(doc, parentPath);
}

function describeSchemaError(
  doc: Document,
  e: ErrorObject,
  at: (offset: number, detail: string) => ConfigError,
): ConfigError {
  const path = parsePointer(e.instancePath);
  const field = path.length === 0 ? 'the file' : `\`${path.join('.')}\``;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return at(offsetOf(doc, path), `missing required field \`${[...path, String(params.missingProperty)].join('.')}\``);
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const parentSchema = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
      const allowed = Object.keys(parentSchema?.properties ?? {}).join(', ');
      return at(keyOffset(doc, path, key), `unknown key \`${[...path, key].join('.')}\`; expected one of: ${allowed}`);
    }
    case 'type':
      return at(offsetOf(doc, path), `${field} must be ${article(String(params.type))}, got ${describeValue(doc, path)}`);
    case 'enum':
      return at(offsetOf(doc, path), `${field} must be one of: ${(params.allowedValues as unknown[]).join(', ')}`);
    case 'const':
      return at(offsetOf(doc, path), `${field} must be ${JSON.stringify(params.allowedValue)}`);
    case 'pattern':
      return at(offsetOf(doc, path), `${field} has an invalid format (expected to match ${String(params.pattern)})`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return at(offsetOf(doc, path), `${field} must be ${String(params.comparison)} ${String(params.limit)}`);
    case 'minLength':
      return at(offsetOf(doc, path), `${field} must have at least ${String(params.limit)} character(s)`);
    case 'maxLength':
      return at(offsetOf(doc, path), `${field} must have at most ${String(params.limit)} characters`);
    case 'minItems':
      return at(offsetOf(doc, path), `${field} must list at least ${String(params.limit)} item(s)`);
    case 'minProperties':
      return at(offsetOf(doc, path), `${field} must set at least ${String(params.limit)} field(s)`);
    case 'uniqueItems':
      return at(offsetOf(doc, path), `${field} lists the same item twice`);
    default:
      return at(offsetOf(doc, path), `${field} ${e.message ?? 'is invalid'}`);
  }
}

function article(type: string): string {
  return type === 'integer' || type === 'object' || type === 'array' ? `an ${type}` : `a ${type}`;
}

function describeValue(doc: Document, path: YamlPath): string {
  const node = nodeAt(doc, path);
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'nothing (null)';
    const shown = String(v);
    return `${typeof v} ${JSON.stringify(shown.length > 40 ? `${shown.slice(0, 40)}…` : shown)}`;
  }
  if (isMap(node)) return 'a mapping';
  return 'a list';
}
