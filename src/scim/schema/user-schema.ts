import { INDEXED_MAX_LENGTH } from '../limits.js';
import { type AttributeDef, attr, type SchemaDef } from './attribute.js';

export const USER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** value/display/type/primary, the shape RFC 7643 §2.4 gives most multi-valued attributes. */
function multi(
  name: string,
  description: string,
  options: { types?: readonly string[]; valueType?: 'string' | 'reference'; caseExact?: boolean } = {},
): AttributeDef {
  return attr(name, 'complex', {
    multiValued: true,
    description,
    subAttributes: [
      attr('value', options.valueType ?? 'string', {
        caseExact: options.caseExact ?? false,
        maxLength: INDEXED_MAX_LENGTH,
        // RFC 7643 §8.7.1: photo URLs are external references.
        ...(options.valueType === 'reference' ? { referenceTypes: ['external'] } : {}),
      }),
      attr('display', 'string'),
      attr('type', 'string', options.types ? { canonicalValues: options.types } : {}),
      attr('primary', 'boolean'),
    ],
  });
}

const readOnlyRef = (name: string, referenceTypes: readonly string[]): AttributeDef =>
  attr(name, 'reference', { referenceTypes, mutability: 'readOnly' });

/** RFC 7643 §4.1: the core User schema. */
export const userSchema: SchemaDef = {
  id: USER_SCHEMA_ID,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr('userName', 'string', {
      required: true,
      maxLength: INDEXED_MAX_LENGTH,
      uniqueness: 'server',
      description:
        'Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Unique per organization, ignoring case.',
    }),
    attr('name', 'complex', {
      description: "The components of the user's real name.",
      subAttributes: [
        attr('formatted', 'string'),
        attr('familyName', 'string'),
        attr('givenName', 'string'),
        attr('middleName', 'string'),
        attr('honorificPrefix', 'string'),
        attr('honorificSuffix', 'string'),
      ],
    }),
    attr('displayName', 'string', {
      description: 'The name of the User, suitable for display.',
      maxLength: INDEXED_MAX_LENGTH,
    }),
    attr('nickName', 'string'),
    attr('profileUrl', 'reference', { referenceTypes: ['external'] }),
    attr('title', 'string'),
    attr('userType', 'string'),
    attr('preferredLanguage', 'string'),
    attr('locale', 'string'),
    attr('timezone', 'string'),
    attr('active', 'boolean', {
      description: "The User's administrative status; false locks the user out of Parallel.",
    }),
    attr('password', 'string', {
      mutability: 'writeOnly',
      returned: 'never',
      description: 'Accepted for compatibility and never stored: Parallel users sign in through SSO.',
    }),
    multi('emails', 'Email addresses for the user.', { types: ['work', 'home', 'other'] }),
    multi('phoneNumbers', 'Phone numbers for the User.', {
      types: ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
    }),
    multi('ims', 'Instant messaging addresses for the User.'),
    multi('photos', 'URLs of photos of the User.', { valueType: 'reference', caseExact: true }),
    attr('addresses', 'complex', {
      multiValued: true,
      subAttributes: [
        attr('formatted', 'string'),
        attr('streetAddress', 'string'),
        attr('locality', 'string'),
        attr('region', 'string'),
        attr('postalCode', 'string'),
        attr('country', 'string'),
        attr('type', 'string', { canonicalValues: ['work', 'home', 'other'] }),
        attr('primary', 'boolean'),
      ],
    }),
    attr('groups', 'complex', {
      multiValued: true,
      mutability: 'readOnly',
      description: 'Teams the user belongs to, managed through the Groups endpoint.',
      subAttributes: [
        attr('value', 'string', { mutability: 'readOnly', caseExact: true }),
        readOnlyRef('$ref', ['User', 'Group']),
        attr('display', 'string', { mutability: 'readOnly' }),
        attr('type', 'string', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
      ],
    }),
    multi('entitlements', 'Entitlements of the User.'),
    multi('roles', 'Roles of the User.'),
    attr('x509Certificates', 'complex', {
      multiValued: true,
      subAttributes: [
        attr('value', 'binary'),
        attr('display', 'string'),
        attr('type', 'string'),
        attr('primary', 'boolean'),
      ],
    }),
  ],
};
