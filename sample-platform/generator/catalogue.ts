/**
 * The fixed reference data of the sample platform: owners, the package catalogue, price plans,
 * discounts, staff roles and permissions. Prices carry odd cents and usage rates odd mills on
 * purpose, so that discounts, overage and tax produce half cents and rounding is exercised.
 */

export type Period = 'monthly' | 'yearly' | 'once';

export interface CataloguePackage {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly period: Period;
  readonly priceCents: number;
  readonly includedMinutes: number;
  readonly overageMills: number;
  readonly provisioningCode: string | null;
}

export const OWNERS = [
  { id: 1, name: 'Northwind Residential' },
  { id: 2, name: 'Northwind Business' },
  { id: 3, name: 'Northwind Wholesale' },
] as const;

export const PACKAGES = [
  { id: 1, code: 'VOICE-300', name: 'Voice 300 minutes', period: 'monthly', priceCents: 1999, includedMinutes: 300, overageMills: 25, provisioningCode: 'BW-VOICE-300' },
  { id: 2, code: 'VOICE-500', name: 'Voice 500 minutes', period: 'monthly', priceCents: 2999, includedMinutes: 500, overageMills: 15, provisioningCode: 'BW-VOICE-500' },
  { id: 3, code: 'VOICE-1000', name: 'Voice 1000 minutes', period: 'monthly', priceCents: 4499, includedMinutes: 1000, overageMills: 15, provisioningCode: 'BW-VOICE-1000' },
  { id: 4, code: 'POOL-1000', name: 'Shared minutes 1000 (family pool)', period: 'monthly', priceCents: 5999, includedMinutes: 1000, overageMills: 25, provisioningCode: 'BW-POOL' },
  { id: 5, code: 'VOICE-LINE', name: 'Additional phone line', period: 'monthly', priceCents: 799, includedMinutes: 0, overageMills: 0, provisioningCode: 'BW-LINE' },
  { id: 6, code: 'VOICEMAIL', name: 'Voicemail to e-mail', period: 'monthly', priceCents: 399, includedMinutes: 0, overageMills: 0, provisioningCode: 'BW-VM' },
  { id: 7, code: 'NET-50', name: 'Internet 50 Mbps', period: 'monthly', priceCents: 3997, includedMinutes: 0, overageMills: 0, provisioningCode: 'DSL-50' },
  { id: 8, code: 'NET-250', name: 'Internet 250 Mbps', period: 'monthly', priceCents: 5997, includedMinutes: 0, overageMills: 0, provisioningCode: 'FTTH-250' },
  { id: 9, code: 'NET-1000', name: 'Internet 1 Gbps', period: 'monthly', priceCents: 8999, includedMinutes: 0, overageMills: 0, provisioningCode: 'FTTH-1000' },
  { id: 10, code: 'IP-STATIC-Y', name: 'Static IP address (yearly)', period: 'yearly', priceCents: 11995, includedMinutes: 0, overageMills: 0, provisioningCode: 'IP-STATIC' },
  { id: 11, code: 'DOMAIN-Y', name: 'Domain name (yearly)', period: 'yearly', priceCents: 1999, includedMinutes: 0, overageMills: 0, provisioningCode: null },
  { id: 12, code: 'SUPPORT-Y', name: 'Premium support (yearly)', period: 'yearly', priceCents: 23999, includedMinutes: 0, overageMills: 0, provisioningCode: null },
  { id: 13, code: 'INSTALL', name: 'Installation', period: 'once', priceCents: 4999, includedMinutes: 0, overageMills: 0, provisioningCode: null },
  { id: 14, code: 'ROUTER', name: 'Wi-Fi router', period: 'once', priceCents: 12999, includedMinutes: 0, overageMills: 0, provisioningCode: null },
] as const satisfies readonly CataloguePackage[];

export type PackageCode = (typeof PACKAGES)[number]['code'];

export function packageByCode(code: PackageCode): CataloguePackage {
  const found = PACKAGES.find((p) => p.code === code);
  if (!found) throw new Error(`no package ${code} in the catalogue`);
  return found;
}

export const PRICE_PLANS = [
  { id: 1, name: 'Loyalty Internet 250', packageCode: 'NET-250', priceCents: 5497 },
  { id: 2, name: 'Business Voice 1000', packageCode: 'VOICE-1000', priceCents: 3999 },
  { id: 3, name: 'Promo Internet 50', packageCode: 'NET-50', priceCents: 2995 },
  { id: 4, name: 'Partner Static IP', packageCode: 'IP-STATIC-Y', priceCents: 9995 },
] as const satisfies readonly { id: number; name: string; packageCode: PackageCode; priceCents: number }[];

export const DISCOUNTS = [
  { id: 1, name: 'Loyalty 10%', percent: 10 },
  { id: 2, name: 'Employee 15%', percent: 15 },
  { id: 3, name: 'Bundle 33%', percent: 33 },
  { id: 4, name: 'Retention 50%', percent: 50 },
] as const;

export const ROLES = ['Administrator', 'Billing', 'Support', 'ReadOnly'] as const;

export const PERMISSIONS = [
  'Accounts.View',
  'Accounts.Edit',
  'Accounts.Delete',
  'Invoices.View',
  'Invoices.Void',
  'Payments.View',
  'Payments.Refund',
  'Packages.View',
  'Packages.Edit',
  'BillRun.Execute',
  'Reports.View',
  'Settings.Edit',
  'Staff.Manage',
  'Usage.Import',
  'Provisioning.Retry',
] as const;

/** Which role holds which permission before any release migration. */
export const ROLE_GRANTS: Record<(typeof ROLES)[number], readonly (typeof PERMISSIONS)[number][]> = {
  Administrator: PERMISSIONS,
  Billing: ['Accounts.View', 'Invoices.View', 'Invoices.Void', 'Payments.View', 'Payments.Refund', 'BillRun.Execute', 'Reports.View', 'Usage.Import'],
  Support: ['Accounts.View', 'Accounts.Edit', 'Invoices.View', 'Packages.View', 'Provisioning.Retry'],
  ReadOnly: ['Accounts.View', 'Invoices.View', 'Payments.View', 'Packages.View', 'Reports.View'],
};

export const PROCESSORS = ['authorizenet', 'stripe', 'paypal'] as const;
export type Processor = (typeof PROCESSORS)[number];

/** The production endpoints the platform would call; the rehearsal must keep them unreachable. */
export const GATEWAY_URLS: Record<Processor, string> = {
  authorizenet: 'https://api.authorize.net/xml/v1/request.api',
  stripe: 'https://api.stripe.com/v1/charges',
  paypal: 'https://api-m.paypal.com/v2/payments',
};

export const PLATFORM_DOMAIN = 'northwind-telecom.example';

/**
 * The bill-run configuration production runs with (last month's run is recorded with it, and the
 * sample's production bill run uses it): not the service's defaults, so a rehearsal that did not
 * apply it would describe every recurring line differently.
 */
export const PRODUCTION_BILL_RUN_CONFIGURATION: Readonly<Record<string, string>> = {
  'invoice.servicePeriodInDescription': 'true',
  'invoice.taxLabel': 'Sales tax',
};
