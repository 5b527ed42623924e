/** IPv4 CIDR arithmetic, enough to tell whether two blocks share any address. */
export interface Ipv4Block {
  readonly first: number;
  readonly last: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns undefined for anything else (IPv6 included). */
export function parseCidr(cidr: string): Ipv4Block | undefined {
  const match = CIDR_PATTERN.exec(cidr.trim());
  if (match === null) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(address / size) * size;
  return { first, last: first + size - 1 };
}

/** True when the blocks share at least one address; unparsable input counts as overlapping (fail closed). */
export function cidrsOverlap(a: string, b: string): boolean {
  const left = parseCidr(a);
  const right = parseCidr(b);
  if (left === undefined || right === undefined) return true;
  return left.first <= right.last && right.first <= left.last;
}

export function isValidCidr(cidr: string): boolean {
  return parseCidr(cidr) !== undefined;
}

function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}

/** The `index`-th block of prefix length `prefix` inside `cidr` (like Terraform's cidrsubnet). */
export function subnetCidr(cidr: string, prefix: number, index: number): string {
  const parent = parseCidr(cidr);
  const parentPrefix = Number(cidr.split('/')[1]);
  if (parent === undefined || prefix < parentPrefix || prefix > 28) {
    throw new Error(`cannot carve /${prefix} subnets out of ${cidr}`);
  }
  const size = 2 ** (32 - prefix);
  const first = parent.first + index * size;
  if (first + size - 1 > parent.last) throw new Error(`${cidr} has no room for subnet ${index} of size /${prefix}`);
  return `${formatAddress(first)}/${prefix}`;
}
