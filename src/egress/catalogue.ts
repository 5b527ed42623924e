import { fileURLToPath } from 'node:url';
import type { JSONSchemaType } from 'ajv';
import { loadValidatedYaml } from '../config/validated-yaml.js';
import type { EgressCatalogue, PaymentGateway, SwitchService } from './types.js';

/** The catalogue shipped with the tool; one file for the local sandbox, the AWS network and the probes. */
export const CATALOGUE_FILE = fileURLToPath(new URL('./catalogue.yaml', import.meta.url));

const hostname = { type: 'string', pattern: '^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$' } as const;
const port = { type: 'integer', minimum: 1, maximum: 65535 } as const;

const gatewaySchema: JSONSchemaType<PaymentGateway> = {
  type: 'object',
  additionalProperties: false,
  required: ['provider', 'environment', 'hosts', 'port'],
  properties: {
    provider: { type: 'string', minLength: 1 },
    environment: { type: 'string', enum: ['production', 'sandbox'] },
    hosts: { type: 'array', minItems: 1, uniqueItems: true, items: hostname },
    port,
  },
};

const switchSchema: JSONSchemaType<SwitchService> = {
  type: 'object',
  additionalProperties: false,
  required: ['service', 'protocol', 'ports'],
  properties: {
    service: { type: 'string', minLength: 1 },
    protocol: { type: 'string', enum: ['tcp', 'udp'] },
    ports: { type: 'array', minItems: 1, uniqueItems: true, items: port },
  },
};

const catalogueSchema: JSONSchemaType<EgressCatalogue> = {
  type: 'object',
  additionalProperties: false,
  required: ['paymentGateways', 'smtpPorts', 'switchServices'],
  properties: {
    paymentGateways: { type: 'array', minItems: 1, items: gatewaySchema },
    smtpPorts: { type: 'array', minItems: 1, uniqueItems: true, items: port },
    switchServices: { type: 'array', minItems: 1, items: switchSchema },
  },
};

/**
 * Reads and validates an egress catalogue (the shipped one by default). Synchronous so that
 * Pulumi programs can build their network from it at module load. Throws ConfigErrors with
 * line numbers when the file is wrong.
 */
export function loadEgressCatalogue(file: string = CATALOGUE_FILE): EgressCatalogue {
  return loadValidatedYaml<EgressCatalogue>(file, catalogueSchema, 'egress catalogue').value;
}

/** Every gateway host once, in catalogue order. */
export function gatewayHosts(catalogue: EgressCatalogue): string[] {
  return [...new Set(catalogue.paymentGateways.flatMap((g) => g.hosts))];
}

/** Every gateway port once (443 today). */
export function gatewayPorts(catalogue: EgressCatalogue): number[] {
  return [...new Set(catalogue.paymentGateways.map((g) => g.port))].sort((a, b) => a - b);
}

export interface CataloguePort {
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
  /** What listens there in production, e.g. `SMTP`, `RADIUS`, `payment gateway`. */
  readonly service: string;
}

/** Every protocol/port pair the catalogue names (gateways, SMTP, switches), each once. */
export function cataloguePorts(catalogue: EgressCatalogue): CataloguePort[] {
  const byKey = new Map<string, CataloguePort>();
  const add = (protocol: 'tcp' | 'udp', port: number, service: string): void => {
    const key = `${protocol}/${port}`;
    if (!byKey.has(key)) byKey.set(key, { protocol, port, service });
  };
  for (const port of gatewayPorts(catalogue)) add('tcp', port, 'payment gateway');
  for (const port of catalogue.smtpPorts) add('tcp', port, 'SMTP');
  for (const s of catalogue.switchServices) for (const port of s.ports) add(s.protocol, port, s.service);
  return [...byKey.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}
