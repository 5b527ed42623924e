import type { JSONSchemaType } from 'ajv';
import type { ReleaseNoteFile } from './types.js';

const text = { type: 'string', minLength: 1, maxLength: 500 } as const;
const name = { type: 'string', minLength: 1, maxLength: 128 } as const;
const bound = { type: 'number', minimum: 0, maximum: 1e12, nullable: true } as const;

/** `releaseNotes:` in the plan; its own section so the plan's schema only lists it. */
export const releaseNotesSchema: JSONSchemaType<ReleaseNoteFile[]> = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'title', 'link'],
    properties: {
      id: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
      title: text,
      link: { type: 'string', minLength: 1, maxLength: 1000, pattern: '^(https?://\\S+|[A-Za-z0-9][\\w./#-]*)$' },
      signOff: { ...text, nullable: true },
      expect: {
        type: 'object',
        nullable: true,
        additionalProperties: false,
        required: ['accounts', 'differ'],
        properties: {
          accounts: {
            type: 'object',
            additionalProperties: false,
            required: [],
            minProperties: 1,
            properties: {
              trait: { ...text, nullable: true },
              concept: { ...name, nullable: true },
              column: { ...name, nullable: true },
              equals: { ...text, nullable: true },
              list: { type: 'array', nullable: true, minItems: 1, items: { type: 'string', minLength: 1, maxLength: 64 } },
            },
          },
          differ: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: [],
              minProperties: 1,
              properties: {
                field: { ...name, nullable: true },
                column: { type: 'string', nullable: true, pattern: '^[A-Za-z_][A-Za-z0-9_$]{0,127}\\.[A-Za-z_][A-Za-z0-9_$ ]{0,127}$' },
                rows: { type: 'string', nullable: true, pattern: '^[A-Za-z_][A-Za-z0-9_$]{0,127}$' },
                outbound: { type: 'string', nullable: true, enum: ['mail', 'payments'] },
                kinds: { type: 'array', nullable: true, minItems: 1, items: name },
                where: {
                  type: 'object',
                  nullable: true,
                  required: [],
                  minProperties: 1,
                  additionalProperties: { anyOf: [{ type: 'string', maxLength: 500 }, { type: 'array', minItems: 1, items: { type: 'string', maxLength: 500 } }] },
                },
                fate: { type: 'string', nullable: true, enum: ['replaced', 'added', 'removed'] },
                direction: { type: 'string', nullable: true, enum: ['increase', 'decrease'] },
                maxAbsolute: bound,
                maxRelative: bound,
                sameAs: { ...name, nullable: true },
              },
            },
          },
        },
      },
    },
  },
} as unknown as JSONSchemaType<ReleaseNoteFile[]>;
