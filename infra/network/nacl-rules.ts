/**
 * The network ACL rules of the private subnets, computed as data so tests and the golden file can
 * read them. Routes are the primary barrier; these denies still hold if someone adds a route
 * (a peering, a VPN, a Transit Gateway) by hand while a rehearsal runs.
 */
import { UserError } from '../../src/errors.js';

export type NaclProtocol = 'tcp' | 'udp' | '-1';

export interface PortOnProtocol {
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
}

export interface NaclRule {
  readonly ruleNumber: number;
  readonly egress: boolean;
  readonly action: 'allow' | 'deny';
  readonly protocol: NaclProtocol;
  readonly cidrBlock: string;
  readonly fromPort: number;
  readonly toPort: number;
  /** Short, stable label used in resource names. */
  readonly label: string;
}

export interface NaclRuleInput {
  readonly vpcCidr: string;
  readonly smtpPorts: readonly number[];
  readonly switchCidrs: readonly string[];
  readonly switchPorts: readonly PortOnProtocol[];
  /** Rules allowed per direction by the account's quota (AWS default: 20). */
  readonly ruleLimit: number;
}

const ANYWHERE = '0.0.0.0/0';
const FIRST_DENY_RULE = 100;
const ALLOW_VPC_RULE = 10;
const ALLOW_REST_RULE = 32000;

interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** Collapses ports into contiguous ranges so each range costs one rule. */
export function portRanges(ports: readonly number[]): PortRange[] {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const ranges: PortRange[] = [];
  for (const port of sorted) {
    const last = ranges[ranges.length - 1];
    if (last !== undefined && port === last.to + 1) ranges[ranges.length - 1] = { from: last.from, to: port };
    else ranges.push({ from: port, to: port });
  }
  return ranges;
}

function portsOn(ports: readonly PortOnProtocol[], protocol: 'tcp' | 'udp'): number[] {
  return ports.filter((p) => p.protocol === protocol).map((p) => p.port);
}

export function naclRules(input: NaclRuleInput): NaclRule[] {
  const egressDenies: Omit<NaclRule, 'ruleNumber'>[] = [];
  const ingressDenies: Omit<NaclRule, 'ruleNumber'>[] = [];
  for (const cidr of [...new Set(input.switchCidrs)].sort()) {
    const label = `switch-net-${cidr.replace(/[./]/g, '-')}`;
    egressDenies.push({ egress: true, action: 'deny', protocol: '-1', cidrBlock: cidr, fromPort: 0, toPort: 0, label });
    ingressDenies.push({ egress: false, action: 'deny', protocol: '-1', cidrBlock: cidr, fromPort: 0, toPort: 0, label });
  }
  const portDenies: [string, 'tcp' | 'udp', number[]][] = [
    ['smtp', 'tcp', [...input.smtpPorts]],
    ['switch-port', 'tcp', portsOn(input.switchPorts, 'tcp')],
    ['switch-port', 'udp', portsOn(input.switchPorts, 'udp')],
  ];
  for (const [kind, protocol, ports] of portDenies) {
    for (const range of portRanges(ports)) {
      const span = range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`;
      egressDenies.push({
        egress: true,
        action: 'deny',
        protocol,
        cidrBlock: ANYWHERE,
        fromPort: range.from,
        toPort: range.to,
        label: `${kind}-${protocol}-${span}`,
      });
    }
  }
  const perDirection = Math.max(egressDenies.length, ingressDenies.length) + 2;
  if (perDirection > input.ruleLimit) {
    throw new UserError(
      `The isolated network needs ${perDirection} network ACL rules in one direction (switch networks, SMTP and switch ports), ` +
        `but the limit is ${input.ruleLimit}. Ask AWS to raise the "Rules per network ACL" quota (up to 40) and set ` +
        '`rehearsal:naclRuleLimit` to the new value, or merge adjacent switch CIDRs and ports in the egress catalogue and plan.',
    );
  }
  const numbered = (rules: Omit<NaclRule, 'ruleNumber'>[]): NaclRule[] =>
    rules.map((rule, i) => ({ ruleNumber: FIRST_DENY_RULE + i * 10, ...rule }));
  return [
    allowVpc(input.vpcCidr, true),
    ...numbered(egressDenies),
    allowRest(true),
    allowVpc(input.vpcCidr, false),
    ...numbered(ingressDenies),
    allowRest(false),
  ];
}

// Intra-VPC first: the sinkholes live inside the VPC and must stay reachable on the very ports denied after it.
function allowVpc(vpcCidr: string, egress: boolean): NaclRule {
  return { ruleNumber: ALLOW_VPC_RULE, egress, action: 'allow', protocol: '-1', cidrBlock: vpcCidr, fromPort: 0, toPort: 0, label: 'vpc' };
}

// Everything else passes the ACL; with no route out it can only reach the S3 gateway endpoint.
function allowRest(egress: boolean): NaclRule {
  return { ruleNumber: ALLOW_REST_RULE, egress, action: 'allow', protocol: '-1', cidrBlock: ANYWHERE, fromPort: 0, toPort: 0, label: 'rest' };
}
