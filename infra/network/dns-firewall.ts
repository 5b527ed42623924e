import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { releaseCandidateTags } from '../tags.js';
import { EVERY_OTHER_DOMAIN } from './dns-domains.js';

export interface DnsFirewallArgs {
  readonly releaseCandidate: string;
  readonly vpcId: pulumi.Input<string>;
  /** Names the billing platform must never resolve to the real host (catalogue hosts, mail servers). */
  readonly sinkholedDomains: readonly string[];
  /** CNAME target for sinkholed names; undefined answers them with NXDOMAIN instead. */
  readonly sinkholeTarget?: string;
  /** Names the environment itself needs (AWS endpoints, the private zone). */
  readonly serviceDomains: readonly string[];
  /** Allowlisted-egress names; empty under deny-all. */
  readonly allowlistedDomains: readonly string[];
}

const PRIORITY = { sinkhole: 100, services: 200, allowlist: 300, everythingElse: 400 } as const;

/**
 * The AWS service rule trusts the CNAME chain of an allowed name: S3 bucket names resolve through
 * `s3-r-w.<region>.amazonaws.com`, which the default (INSPECT_REDIRECTION_DOMAIN) would send to the
 * catch-all NXDOMAIN rule. Those chains are AWS's own. The allowlist rule keeps inspecting: a
 * vendor's CNAME could point at a catalogue host, which must still get the sinkhole.
 */
const TRUST_REDIRECTION = { firewallDomainRedirectionAction: 'TRUST_REDIRECTION_DOMAIN' } as const;

/**
 * Route 53 Resolver DNS Firewall for the rehearsal VPC: catalogue names go to the sinkhole, the
 * names the environment needs resolve, every other name is NXDOMAIN. The firewall fails closed
 * so a Resolver outage cannot let a query through unfiltered.
 */
export class DnsFirewall extends pulumi.ComponentResource {
  readonly ruleGroupId: pulumi.Output<string>;

  constructor(name: string, args: DnsFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rehearsal:network:DnsFirewall', name, {}, opts);
    const child = { parent: this };
    const tags = (suffix: string): Record<string, string> => releaseCandidateTags(args.releaseCandidate, `${name}-${suffix}`);

    const ruleGroup = new aws.route53.ResolverFirewallRuleGroup(`${name}-rules`, { name: `${name}-rules`, tags: tags('rules') }, child);
    const domainList = (suffix: string, domains: readonly string[]): aws.route53.ResolverFirewallDomainList =>
      new aws.route53.ResolverFirewallDomainList(`${name}-${suffix}`, { name: `${name}-${suffix}`, domains: [...domains], tags: tags(suffix) }, child);

    const catalogue = domainList('catalogue', args.sinkholedDomains);
    new aws.route53.ResolverFirewallRule(
      `${name}-sinkhole-catalogue`,
      {
        name: `${name}-sinkhole-catalogue`,
        firewallRuleGroupId: ruleGroup.id,
        firewallDomainListId: catalogue.id,
        priority: PRIORITY.sinkhole,
        action: 'BLOCK',
        ...(args.sinkholeTarget === undefined
          ? { blockResponse: 'NXDOMAIN' }
          : { blockResponse: 'OVERRIDE', blockOverrideDnsType: 'CNAME', blockOverrideDomain: args.sinkholeTarget, blockOverrideTtl: 60 }),
      },
      child,
    );

    const services = domainList('aws-services', args.serviceDomains);
    new aws.route53.ResolverFirewallRule(
      `${name}-allow-aws-services`,
      { name: `${name}-allow-aws-services`, firewallRuleGroupId: ruleGroup.id, firewallDomainListId: services.id, priority: PRIORITY.services, action: 'ALLOW', ...TRUST_REDIRECTION },
      child,
    );

    if (args.allowlistedDomains.length > 0) {
      const allowlist = domainList('allowlist', args.allowlistedDomains);
      new aws.route53.ResolverFirewallRule(
        `${name}-allow-allowlist`,
        { name: `${name}-allow-allowlist`, firewallRuleGroupId: ruleGroup.id, firewallDomainListId: allowlist.id, priority: PRIORITY.allowlist, action: 'ALLOW' },
        child,
      );
    }

    const everythingElse = domainList('everything-else', [EVERY_OTHER_DOMAIN]);
    new aws.route53.ResolverFirewallRule(
      `${name}-block-everything-else`,
      {
        name: `${name}-block-everything-else`,
        firewallRuleGroupId: ruleGroup.id,
        firewallDomainListId: everythingElse.id,
        priority: PRIORITY.everythingElse,
        action: 'BLOCK',
        blockResponse: 'NXDOMAIN',
      },
      child,
    );

    new aws.route53.ResolverFirewallRuleGroupAssociation(
      `${name}-association`,
      { name: `${name}-association`, firewallRuleGroupId: ruleGroup.id, vpcId: args.vpcId, priority: 101, mutationProtection: 'DISABLED', tags: tags('association') },
      child,
    );
    new aws.route53.ResolverFirewallConfig(`${name}-fail-closed`, { resourceId: args.vpcId, firewallFailOpen: 'DISABLED' }, child);

    this.ruleGroupId = ruleGroup.id;
    this.registerOutputs({ ruleGroupId: this.ruleGroupId });
  }
}
