import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type AttributeDef, attr, type ResourceTypeDef } from '../schema/attribute.js';
import { commonAttributes } from '../schema/common-attributes.js';
import { groupResourceType, userResourceType } from '../schema/resource-types.js';
import { type ProjectionOptions, project, projectByWalk } from './project.js';

/*
 * project() answers a request that names no attributes from a compiled table
 * (project-default.ts); the general walk is the reference. Equal means the same JSON text, key
 * order included, for any document: canonical or not, names in any case, names no schema has,
 * values of the wrong shape, undefined values, empty objects and arrays, `__proto__` keys.
 */

// No built-in schema has "request" or "never" attributes beside `password`, nor "always" or
// "never" sub-attributes, so a type that has them all, and an extension that has them too.
const thingExtension = {
  id: 'urn:example:ext:Thing',
  name: 'ThingExt',
  description: '',
  attributes: [
    attr('e1', 'string'),
    attr('eHidden', 'string', { returned: 'never' }),
    attr('eAsked', 'string', { returned: 'request' }),
    attr('eBox', 'complex', {
      multiValued: true,
      subAttributes: [attr('a', 'string'), attr('n', 'string', { returned: 'never' })],
    }),
  ],
};
const thingType: ResourceTypeDef = {
  id: 'Thing',
  name: 'Thing',
  endpoint: '/Things',
  description: '',
  schema: {
    id: 'urn:example:Thing',
    name: 'Thing',
    description: '',
    attributes: [
      attr('plain', 'string'),
      attr('onRequest', 'string', { returned: 'request' }),
      attr('secret', 'string', { returned: 'never' }),
      attr('x', 'complex', {
        subAttributes: [
          attr('a', 'string'),
          attr('b', 'string', { returned: 'request' }),
          attr('c', 'string', { returned: 'always' }),
          attr('d', 'string', { returned: 'never' }),
        ],
      }),
      attr('xs', 'complex', {
        multiValued: true,
        subAttributes: [attr('a', 'string'), attr('d', 'string', { returned: 'never' })],
      }),
    ],
  },
  extensions: [{ schema: thingExtension, required: false }],
};

const types = [userResourceType, groupResourceType, thingType];

/** Every name a resource of `type` can carry, and sub-attribute names, plus some no schema has. */
function namesOf(type: ResourceTypeDef): { top: string[]; sub: string[]; ext: Map<string, string[]> } {
  const subs = (defs: readonly AttributeDef[]) => defs.flatMap((d) => (d.subAttributes ?? []).map((s) => s.name));
  const ext = new Map(type.extensions.map((e) => [e.schema.id, e.schema.attributes.map((a) => a.name)]));
  const all = [...commonAttributes, ...type.schema.attributes, ...type.extensions.flatMap((e) => e.schema.attributes)];
  return {
    top: [
      'schemas',
      ...commonAttributes.map((a) => a.name),
      ...type.schema.attributes.map((a) => a.name),
      ...type.extensions.map((e) => e.schema.id),
      ...groupResourceType.schema.attributes.map((a) => a.name),
      'unknownThing',
      '__proto__',
    ],
    sub: [...subs(all), 'other', '__proto__'],
    ext,
  };
}

/** A name as a client may spell it: as defined, or in another case. */
const spelled = (names: readonly string[]) =>
  fc
    .tuple(fc.constantFrom(...names), fc.constantFrom('same', 'lower', 'upper'))
    .map(([name, how]) => (how === 'lower' ? name.toLowerCase() : how === 'upper' ? name.toUpperCase() : name));

const scalar = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean(), fc.constant(null));

function arbitraryResource(type: ResourceTypeDef): fc.Arbitrary<Record<string, unknown>> {
  const { top, sub, ext } = namesOf(type);
  const maybeUndefined = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: a }, fc.constant(undefined));
  const complex = fc.dictionary(spelled(sub), maybeUndefined(fc.oneof(scalar, fc.constant({}))), { maxKeys: 4 });
  const value = fc.oneof(
    scalar,
    complex,
    fc.array(fc.oneof({ weight: 4, arbitrary: complex }, scalar, fc.constant([])), { maxLength: 3 }),
    fc.constant([]),
    fc.constant({}),
  );
  const extNames = [...ext.values()].flat();
  const extensionObject = fc.oneof(
    { weight: 4, arbitrary: fc.dictionary(spelled([...extNames, 'nope']), maybeUndefined(value), { maxKeys: 5 }) },
    scalar,
  );
  const schemaUris = fc.array(
    fc.oneof(spelled([type.schema.id, ...type.extensions.map((e) => e.schema.id), 'urn:other']), fc.integer()),
    { maxLength: 4 },
  );
  const entry = spelled(top).chain((name) => {
    const lower = name.toLowerCase();
    if (lower === 'schemas') return fc.tuple(fc.constant(name), fc.oneof({ weight: 5, arbitrary: schemaUris }, scalar));
    if (type.extensions.some((e) => e.schema.id.toLowerCase() === lower)) {
      return fc.tuple(fc.constant(name), maybeUndefined(extensionObject));
    }
    return fc.tuple(fc.constant(name), maybeUndefined(value));
  });
  // Defined, not assigned: `__proto__` becomes an own key, as JSON.parse makes it of a document.
  return fc.array(entry, { maxLength: 12 }).map((entries) => {
    const resource: Record<string, unknown> = {};
    for (const [name, v] of entries) {
      Object.defineProperty(resource, name, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return resource;
  });
}

const noNames: readonly ProjectionOptions[] = [
  {},
  { attributes: [] },
  { excludedAttributes: [] },
  { attributes: [], excludedAttributes: [] },
];

describe('project: the default projection equals the general walk', () => {
  for (const type of types) {
    test(`${type.name}: generated resources, every options shape that names nothing`, () => {
      fc.assert(
        fc.property(arbitraryResource(type), fc.constantFrom(...noNames), (resource, options) => {
          const before = JSON.stringify(resource);
          const fast = project(type, resource, options);
          const walked = projectByWalk(type, resource, options);
          assert.equal(JSON.stringify(fast), JSON.stringify(walked));
          assert.deepEqual(fast, walked);
          assert.deepEqual(Object.getPrototypeOf(fast), Object.getPrototypeOf(walked));
          assert.equal(JSON.stringify(resource), before, 'the input is not modified');
        }),
        { numRuns: 3000 },
      );
    });
  }

  test('the same resource projected twice (the compiled table is reused) gives the same answer', () => {
    const resource = {
      schemas: ['urn:example:Thing', 'urn:example:ext:Thing'],
      id: 't',
      plain: 'p',
      onRequest: 'r',
      secret: 's',
      x: { a: 'A', b: 'B', c: 'C', d: 'D' },
      xs: [{ d: 'only never' }, { a: 1 }],
      'urn:example:ext:Thing': { eHidden: 'h', eAsked: 'q' },
    };
    const expected = { schemas: ['urn:example:Thing'], id: 't', plain: 'p', x: { a: 'A', c: 'C' }, xs: [{ a: 1 }] };
    assert.deepEqual(project(thingType, resource, {}), expected);
    assert.deepEqual(project(thingType, resource, {}), expected);
    assert.deepEqual(projectByWalk(thingType, resource, {}), expected);
  });
});
