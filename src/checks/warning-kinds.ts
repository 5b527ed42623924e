/**
 * How the `event-log` check splits warnings before counting them: by (module, action), and, for a
 * kind the platform adapter declares as depending on outside systems with a list of the messages
 * those systems cause, into the messages that match that list and the rest of the kind. Production's
 * rows are split by the same rule, so each part is compared with the same part of production's log.
 */

/** When a warning of a kind depending on outside systems counts as "well above" production's: more than this many times its count. */
export const WARNING_RATIO = 2;
/** … and more than this many rows above it. */
export const WARNING_MARGIN = 5;

/** A (module, action) whose warnings depend on systems outside the platform, as the adapter declares it. */
export interface ExternalWarningKind {
  readonly module: string;
  readonly action: string;
  /**
   * Regular expressions (searched anywhere in the message) of the warnings the outside systems
   * cause. Without them, every warning of the kind gets the margin.
   */
  readonly messages?: readonly string[];
}

/**
 * Which part of its kind a row is:
 * - `all`: a kind not declared as depending on outside systems (strict);
 * - `all, outside systems`: a declared kind without a message list (the whole kind gets the margin);
 * - `outside systems`: a declared kind's message matching its list (the margin);
 * - `other messages`: a declared kind's message matching none of its list (strict).
 */
export type WarningPart = 'all' | 'all, outside systems' | 'outside systems' | 'other messages';

export function lenient(part: WarningPart): boolean {
  return part === 'all, outside systems' || part === 'outside systems';
}

export class WarningKinds {
  /** (module, action) → the compiled message list, or null for a declared kind without one. */
  private readonly external = new Map<string, readonly RegExp[] | null>();

  constructor(declared: readonly ExternalWarningKind[]) {
    for (const kind of declared) this.external.set(kindKey(kind.module, kind.action), kind.messages === undefined ? null : kind.messages.map((m) => new RegExp(m)));
  }

  partOf(module: string, action: string, message: string | null): WarningPart {
    const patterns = this.external.get(kindKey(module, action));
    if (patterns === undefined) return 'all';
    if (patterns === null) return 'all, outside systems';
    const text = message ?? '';
    return patterns.some((p) => p.test(text)) ? 'outside systems' : 'other messages';
  }
}

/** The rule, with the declared kinds, as every report prints it. */
export function warningThresholdText(external: readonly ExternalWarningKind[]): string {
  const names = (kinds: readonly ExternalWarningKind[]): string => kinds.map((k) => `${k.module}/${k.action}`).join(', ');
  const strict = "a warning fails when production's bill run did not log its (module, action), or logged it less often";
  if (external.length === 0) return `${strict}; the platform adapter declares no kind as depending on outside systems`;
  const withMessages = external.filter((k) => k.messages !== undefined);
  const whole = external.filter((k) => k.messages === undefined);
  const scopes = [
    ...(withMessages.length > 0 ? [`for ${names(withMessages)} only the messages the adapter lists as caused by those systems (the kind's other messages, such as data problems, are counted apart on both sides and fail like any other warning)`] : []),
    ...(whole.length > 0 ? [`for ${names(whole)} the whole kind (the adapter lists no messages)`] : []),
  ];
  return `${strict}; a kind the platform adapter declares as depending on outside systems fails only when logged more than ${WARNING_RATIO}× and more than ${WARNING_MARGIN} times more often than there: ${scopes.join('; ')}`;
}

function kindKey(module: string, action: string): string {
  return `${module}\u0000${action}`;
}
