import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, isCollection, isMap, isPair, isScalar, visit, type Document, type Node } from 'yaml';
import { ConfigError, ConfigErrors } from '../errors.js';
import { decodeUtf8, MAX_CONFIG_BYTES, readInputFile } from './input-file.js';

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

// Every process that reads a plan or an adapter compiles these schemas once (the CLI, the sandbox
// keeper, each stage command): ajv's code optimizer tripled that compile for validation code that
// then runs a handful of times on files of a few kilobytes.
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true, code: { optimize: false } });
const validators = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let validate = validators.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

export function loadValidatedYaml<T>(file: string, schema: object, what: string): LocatedYaml<T> {
  const text = decodeUtf8(readInputFile(file, what, MAX_CONFIG_BYTES), file);
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
  const value = expandAliases(doc, errorAtOffset);
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

/** More alias expansions than a hand-written config could need: beyond it, an alias bomb. */
const MAX_ALIAS_COUNT = 100;

function expandAliases(doc: Document, at: (offset: number, detail: string) => ConfigError): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // `yaml` throws a ReferenceError, without a position, for too many or unresolved aliases.
    if (!(error instanceof ReferenceError)) throw error;
    const alias = firstExpandingAlias(doc);
    throw new ConfigErrors([
      at(
        alias?.range?.[0] ?? 0,
        /Excessive alias/.test(error.message)
          ? `aliases expand to more than ${MAX_ALIAS_COUNT} copies, as in an alias bomb; write the values out instead of nesting aliases`
          : `YAML alias error: ${error.message}`,
      ),
    ]);
  }
}

/** The first alias whose anchor itself holds aliases (where expansion multiplies), else the first alias. */
function firstExpandingAlias(doc: Document): Node | undefined {
  let first: Node | undefined;
  let nesting: Node | undefined;
  visit(doc, {
    Alias(_key, alias) {
      first ??= alias;
      const target = alias.resolve(doc);
      let holdsAliases = false;
      if (isCollection(target)) {
        visit(target, {
          Alias() {
            holdsAliases = true;
            return visit.BREAK;
          },
        });
      }
      if (holdsAliases) {
        nesting = alias;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return nesting ?? first;
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
