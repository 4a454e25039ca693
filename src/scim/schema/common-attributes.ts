import { INDEXED_MAX_LENGTH } from '../limits.js';
import { type AttributeDef, attr } from './attribute.js';

/**
 * RFC 7643 §3.1: attributes every resource has. They belong to no schema (so `/Schemas` does not
 * list them) but paths, filters and projection resolve them like any other attribute.
 */
export const commonAttributes: readonly AttributeDef[] = [
  attr('id', 'string', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
    description: 'Unique identifier for the resource, assigned by the service provider.',
  }),
  attr('externalId', 'string', {
    caseExact: true,
    maxLength: INDEXED_MAX_LENGTH,
    description: "The identity provider's identifier for the resource (Entra objectId).",
  }),
  attr('meta', 'complex', {
    mutability: 'readOnly',
    description: 'Resource metadata.',
    subAttributes: [
      attr('resourceType', 'string', { caseExact: true, mutability: 'readOnly' }),
      attr('created', 'dateTime', { mutability: 'readOnly' }),
      attr('lastModified', 'dateTime', { mutability: 'readOnly' }),
      attr('location', 'reference', { mutability: 'readOnly', referenceTypes: ['uri'] }),
      attr('version', 'string', { caseExact: true, mutability: 'readOnly' }),
    ],
  }),
];
