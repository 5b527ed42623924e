/**
 * The egress catalogue: every destination a billing platform may try to reach that a rehearsal
 * must never let it reach. One data file feeds the local sandbox, the AWS network and the probes.
 */
export interface EgressCatalogue {
  readonly paymentGateways: readonly PaymentGateway[];
  readonly smtpPorts: readonly number[];
  readonly switchServices: readonly SwitchService[];
}

export interface PaymentGateway {
  /** e.g. `Authorize.Net`, `PayPal Payflow`. */
  readonly provider: string;
  readonly environment: 'production' | 'sandbox';
  readonly hosts: readonly string[];
  readonly port: number;
}

export interface SwitchService {
  /** e.g. `RADIUS`, `BroadWorks OCI-P`. */
  readonly service: string;
  readonly protocol: 'tcp' | 'udp';
  readonly ports: readonly number[];
}
