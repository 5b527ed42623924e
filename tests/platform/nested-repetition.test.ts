import t from 'tap';
import { nestsRepetition } from '../../src/platform/nested-repetition.js';

t.test('a repeated group that itself repeats is found; repetition that cannot nest is not', async (t) => {
  for (const pattern of ['(a+)+', '(a*)*', '(\\w+\\s?)*$', '(?:x{2,})+', '(?:ab{1,3})+', '((ab)+)+', '([a-z]+,)*', '(?:(a+)b)+', '(a+){2}', '^INV-(\\S+ )+refused$']) {
    t.ok(nestsRepetition(pattern), pattern);
  }
  for (const pattern of ['a+b+', '(ab)+', '(a+)?', '(a+){0,1}', '(a+)', '[(a+)]+', '\\(a+\\)+', '(?:declined|refused)+', '^x{2}(y{1})+', '^[^\\s:]+: \\S+ (?:unreachable \\(|did not answer in time$)', '^IN\\d{8}-[A-Za-z0-9][A-Za-z0-9_-]*: declined \\(.*\\)$']) {
    t.notOk(nestsRepetition(pattern), pattern);
  }
});
