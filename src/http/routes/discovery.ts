import type { FastifyInstance, FastifyRequest } from 'fastify';
import { listResponse } from '../../scim/list-request.js';
import type { AttributeDef, ResourceTypeDef, SchemaDef } from '../../scim/schema/attribute.js';
import { resourceTypes } from '../../scim/schema/resource-types.js';
import { notFound } from '../../scim/scim-error.js';
import { scimBaseUrl } from '../bearer-auth.js';
import { SCIM_CONTENT_TYPE } from '../scim-error-body.js';
import { IdParams } from './request-parts.js';
import { routeMethods } from './route-methods.js';

const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

function attributeJson(a: AttributeDef): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description,
    required: a.required,
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
    ...(a.canonicalValues ? { canonicalValues: a.canonicalValues } : {}),
    ...(a.referenceTypes ? { referenceTypes: a.referenceTypes } : {}),
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attributeJson) } : {}),
  };
}

function schemaJson(schema: SchemaDef, base: string) {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeJson),
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${schema.id}` },
  };
}

function resourceTypeJson(type: ResourceTypeDef, base: string) {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: type.id,
    name: type.name,
    endpoint: type.endpoint,
    description: type.description,
    schema: type.schema.id,
    schemaExtensions: type.extensions.map((e) => ({ schema: e.schema.id, required: e.required })),
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/${type.id}` },
  };
}

const allSchemas = (): SchemaDef[] => {
  const seen = new Map<string, SchemaDef>();
  for (const type of resourceTypes) {
    seen.set(type.schema.id, type.schema);
    for (const ext of type.extensions) seen.set(ext.schema.id, ext.schema);
  }
  return [...seen.values()];
};

/**
 * RFC 7644 §4: what the service really supports, served from the same definitions that
 * validate requests. Public (no token), as §4 allows, so a client can discover before it
 * authenticates.
 */
export function discoveryRoutes(app: FastifyInstance, options: { publicUrl: string | undefined; maxPageSize: number }) {
  const base = (request: FastifyRequest) => scimBaseUrl(request, options.publicUrl);

  routeMethods(app, '/ServiceProviderConfig', {
    GET: async (request, reply) =>
      reply.type(SCIM_CONTENT_TYPE).send({
        schemas: [SPC_SCHEMA],
        patch: { supported: true },
        bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
        filter: { supported: true, maxResults: options.maxPageSize },
        changePassword: { supported: false },
        sort: { supported: true },
        etag: { supported: true },
        authenticationSchemes: [
          {
            type: 'oauthbearertoken',
            name: 'OAuth Bearer Token',
            description:
              'A per-organization secret token issued by Parallel support, sent as "Authorization: Bearer <token>"',
            primary: true,
          },
        ],
        meta: { resourceType: 'ServiceProviderConfig', location: `${base(request)}/ServiceProviderConfig` },
      }),
  });

  routeMethods(app, '/ResourceTypes', {
    GET: async (request, reply) => {
      const items = resourceTypes.map((t) => resourceTypeJson(t, base(request)));
      return reply.type(SCIM_CONTENT_TYPE).send(listResponse(items, items.length, 1));
    },
  });
  routeMethods(
    app,
    '/ResourceTypes/:id',
    {
      GET: async (request, reply) => {
        const { id } = request.params;
        const type = resourceTypes.find((t) => t.id === id);
        if (!type)
          throw notFound(
            `No resource type "${id}"; this service has ${resourceTypes.map((t) => t.id).join(', ')}`,
            'discovery.resourceType',
          );
        return reply.type(SCIM_CONTENT_TYPE).send(resourceTypeJson(type, base(request)));
      },
    },
    IdParams,
  );

  routeMethods(app, '/Schemas', {
    GET: async (request, reply) => {
      const items = allSchemas().map((s) => schemaJson(s, base(request)));
      return reply.type(SCIM_CONTENT_TYPE).send(listResponse(items, items.length, 1));
    },
  });
  routeMethods(
    app,
    '/Schemas/:id',
    {
      GET: async (request, reply) => {
        const { id } = request.params;
        const schema = allSchemas().find((s) => s.id.toLowerCase() === id.toLowerCase());
        if (!schema) throw notFound(`No schema "${id}"`, 'discovery.schema');
        return reply.type(SCIM_CONTENT_TYPE).send(schemaJson(schema, base(request)));
      },
    },
    IdParams,
  );
}
