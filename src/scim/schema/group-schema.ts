import { INDEXED_MAX_LENGTH, MAX_TEAM_NESTING_DEPTH } from '../limits.js';
import { attr, type SchemaDef } from './attribute.js';

export const GROUP_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** Entra adds this URN to `schemas` on group creates; it carries no attributes we keep. */
export const MICROSOFT_GROUP_SCHEMA_ID = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

/** RFC 7643 §4.2: the core Group schema (a Parallel team). */
export const groupSchema: SchemaDef = {
  id: GROUP_SCHEMA_ID,
  name: 'Group',
  description: 'Group (a Parallel team)',
  attributes: [
    attr('displayName', 'string', {
      required: true,
      description: 'The name of the team.',
      maxLength: INDEXED_MAX_LENGTH,
    }),
    attr('members', 'complex', {
      multiValued: true,
      storedAsRows: true,
      description: `Direct members of the team: users, and teams nested in it (type "Group"), of the same organization; no cycles, at most ${MAX_TEAM_NESTING_DEPTH} levels of nesting.`,
      subAttributes: [
        attr('value', 'string', { mutability: 'immutable', caseExact: true, maxLength: INDEXED_MAX_LENGTH }),
        attr('$ref', 'reference', { mutability: 'immutable', referenceTypes: ['User', 'Group'] }),
        attr('display', 'string', { mutability: 'readOnly' }),
        attr('type', 'string', { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
      ],
    }),
  ],
};
