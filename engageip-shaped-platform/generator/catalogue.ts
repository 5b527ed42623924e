/** The stand-in's fixed reference data: packages, discounts, staff roles, settings. */

export const PLATFORM_DOMAIN = 'engage-telco.example';
export const PRODUCTION_RELEASE = '8.4.2';

export interface PackageSpec {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  /** 1 monthly, 12 yearly, 0 one-time. */
  readonly months: 0 | 1 | 12;
  readonly amount: string;
  readonly includedMinutes: number;
  readonly overageRate: string;
  readonly provisioningCode: string | null;
}

export const PACKAGES: readonly PackageSpec[] = [
  { id: 1, name: 'VOICE-300', description: 'Voice 300 minutes', months: 1, amount: '19.9900', includedMinutes: 300, overageRate: '0.0450', provisioningCode: 'BW-VOICE-300' },
  { id: 2, name: 'VOICE-500', description: 'Voice 500 minutes', months: 1, amount: '29.9900', includedMinutes: 500, overageRate: '0.0250', provisioningCode: 'BW-VOICE-500' },
  { id: 3, name: 'VOICE-POOL', description: 'Family pool 1000 minutes', months: 1, amount: '49.9900', includedMinutes: 0, overageRate: '0.0000', provisioningCode: 'BW-POOL' },
  { id: 4, name: 'LINE-EXTRA', description: 'Extra line', months: 1, amount: '9.9900', includedMinutes: 0, overageRate: '0.0000', provisioningCode: 'BW-LINE' },
  { id: 5, name: 'NET-50', description: 'Internet 50 Mbit/s', months: 1, amount: '39.9900', includedMinutes: 0, overageRate: '0.0000', provisioningCode: 'NET-50' },
  { id: 6, name: 'NET-250', description: 'Internet 250 Mbit/s', months: 1, amount: '59.9700', includedMinutes: 0, overageRate: '0.0000', provisioningCode: 'NET-250' },
  { id: 7, name: 'STATIC-IP', description: 'Static IP address', months: 12, amount: '60.0000', includedMinutes: 0, overageRate: '0.0000', provisioningCode: 'NET-IP' },
  { id: 8, name: 'DOMAIN', description: 'Domain name', months: 12, amount: '15.0000', includedMinutes: 0, overageRate: '0.0000', provisioningCode: null },
  { id: 9, name: 'INSTALL', description: 'Installation', months: 0, amount: '99.0000', includedMinutes: 0, overageRate: '0.0000', provisioningCode: 'FIELD-INSTALL' },
  { id: 10, name: 'ROUTER', description: 'Router', months: 0, amount: '129.0000', includedMinutes: 0, overageRate: '0.0000', provisioningCode: null },
];

export const POOL_PACKAGE_ID = 3;
export const POOL_MINUTES = 1000;
export const POOL_RATE = '0.0150';

export const DISCOUNTS = [
  { id: 1, name: 'Loyalty 10%', percentage: '10.0000' },
  { id: 2, name: 'Bundle 15%', percentage: '15.0000' },
  { id: 3, name: 'Promotion 50%', percentage: '50.0000' },
] as const;

export const ROLES = ['Administrator', 'BillingManager', 'CustomerService', 'ReadOnly'] as const;

export const PERMISSIONS = [
  'User.View', 'User.Edit', 'Invoice.View', 'Invoice.Void', 'Payment.Process', 'Payment.Refund',
  'BillRun.Execute', 'SystemSetting.Edit', 'Report.View',
] as const;

export const ROLE_GRANTS: Readonly<Record<(typeof ROLES)[number], readonly (typeof PERMISSIONS)[number][]>> = {
  Administrator: PERMISSIONS,
  BillingManager: ['User.View', 'Invoice.View', 'Invoice.Void', 'Payment.Process', 'BillRun.Execute', 'Report.View'],
  CustomerService: ['User.View', 'User.Edit', 'Invoice.View', 'Payment.Process'],
  ReadOnly: ['User.View', 'Invoice.View', 'Report.View'],
};

/**
 * Staff logins by position in the generated names: the roles each holds, whether it is active,
 * and permissions granted to it directly. One login holds two roles, one is disabled, two carry
 * a direct grant, so the staff-users check has each case to compare.
 */
export const STAFF: readonly { readonly roles: readonly (typeof ROLES)[number][]; readonly active: boolean; readonly grants: readonly (typeof PERMISSIONS)[number][] }[] = [
  { roles: ['Administrator'], active: true, grants: [] },
  { roles: ['BillingManager', 'ReadOnly'], active: true, grants: [] },
  { roles: ['BillingManager'], active: true, grants: ['Payment.Refund'] },
  { roles: ['CustomerService'], active: true, grants: ['Invoice.Void'] },
  { roles: ['CustomerService'], active: false, grants: [] },
  { roles: ['ReadOnly'], active: true, grants: [] },
];

/**
 * The bill-run configuration production runs with (last month's run is recorded with it, and the
 * production bill run uses it): not the service's defaults, so a rehearsal that did not apply it
 * would describe every recurring charge differently.
 */
export const PRODUCTION_BILL_RUN_CONFIGURATION: Readonly<Record<string, string>> = {
  'Invoice.ShowServicePeriod': 'True',
  'Invoice.TaxChargeDescription': 'Sales tax',
};

/** Processors and their live endpoints (hosts of the egress catalogue, so a rehearsal sinkholes them). */
export const GATEWAYS = [
  { processor: 'AuthorizeNet', url: 'https://api.authorize.net/xml/v1/request.api' },
  { processor: 'Moneris', url: 'https://www3.moneris.com/gateway2/servlet/MpgRequest' },
] as const;

/** Switches at documentation addresses: BroadWorks OCI-P and Diameter. */
export const SWITCHES = '192.0.2.20:2208,192.0.2.21:3868';
