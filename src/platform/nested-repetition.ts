/**
 * Whether a regular expression repeats a group that itself repeats something (`(a+)+`,
 * `(\w*\s?)*`, `(?:x{2,})+`): the shape that backtracks exponentially on a long message that
 * almost matches. A heuristic over the pattern's text (character classes and escapes skipped); a
 * group repeated only by `?` or `{0,1}` does not count. Overlapping alternatives (`(a|a)*`) are not
 * found.
 */
export function nestsRepetition(source: string): boolean {
  /** One entry per open group: whether something inside it repeats. */
  const open: boolean[] = [];
  const markRepeated = (): void => {
    if (open.length > 0) open[open.length - 1] = true;
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') {
      i += 2;
    } else if (c === '[') {
      i = endOfClass(source, i);
    } else if (c === '(') {
      open.push(false);
      i++;
    } else if (c === ')') {
      const innerRepeats = open.pop() ?? false;
      const quantifier = repeatingQuantifier(source, i + 1);
      if (innerRepeats && quantifier > 0) return true;
      if (innerRepeats) markRepeated();
      i++;
    } else {
      const quantifier = repeatingQuantifier(source, i);
      if (quantifier > 0) markRepeated();
      i += Math.max(quantifier, 1);
    }
  }
  return false;
}

/** The length of a quantifier at `at` that allows more than one repetition (`*`, `+`, `{2}`, `{1,}`, `{0,3}`), or 0. */
function repeatingQuantifier(source: string, at: number): number {
  const c = source[at];
  if (c === '*' || c === '+') return 1;
  if (c !== '{') return 0;
  const braces = /^\{(\d+)(?:(,)(\d*))?\}/.exec(source.slice(at));
  if (braces === null) return 0;
  const [text, min, comma, max] = braces;
  const most = comma === undefined ? Number(min) : max === '' || max === undefined ? Infinity : Number(max);
  return most > 1 ? text.length : 0;
}

/** The index just after the character class opening at `at`. */
function endOfClass(source: string, at: number): number {
  let i = at + 1;
  if (source[i] === '^') i++;
  if (source[i] === ']') i++;
  while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
  return i + 1;
}
