/**
 * What a probe's evidence may show. Requests and answers carry a sanitized copy's data, but the
 * report travels further than the sandbox: strings are withheld (only their length shown) unless
 * they are plainly not personal (dates, codes, short lower-case words, numbers); headers that
 * carry credentials are withheld whole.
 */
const SAFE_STRING = /^(\d{4}-\d{2}-\d{2}([T ][\d:.]+Z?)?|[A-Z]{2,8}-[\dA-Z-]{1,20}|[a-z][a-z_.-]{0,23}|-?\d+(\.\d+)?)$/;
const SECRET_HEADER = /^(authorization|cookie|set-cookie|proxy-authorization|x-api-key|x-auth-token)$/i;
const MAX_EXCERPT = 600;

export function maskString(value: string): string {
  return SAFE_STRING.test(value) ? value : `«${value.length} chars withheld»`;
}

export function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return maskString(value);
  if (Array.isArray(value)) return value.slice(0, 5).map(maskValue).concat(value.length > 5 ? [`… ${value.length - 5} more`] : []);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v)]));
  return value;
}

/** A body for the report: JSON with its strings masked, other text by its length only. */
export function maskBody(body: string | undefined): string {
  if (body === undefined || body === '') return '';
  try {
    return cap(JSON.stringify(maskValue(JSON.parse(body) as unknown)));
  } catch {
    return `«${body.length} chars of text withheld»`;
  }
}

export function maskHeaders(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([k, v]) => `${k}: ${SECRET_HEADER.test(k) ? '«withheld»' : maskString(v)}`)
    .join('; ');
}

export function cap(text: string): string {
  return text.length > MAX_EXCERPT ? `${text.slice(0, MAX_EXCERPT)}…` : text;
}
