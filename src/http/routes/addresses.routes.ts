import { Type } from 'typebox';
import type { Address } from '../../modules/identity/index.ts';
import { bearerSecurity, principalOf, requireAuth } from '../plugins/auth.ts';
import { IdParams, responses, Timestamp, Uuid } from '../schemas/common.ts';
import type { RoutesPlugin } from '../types.ts';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

export const AddressSchema = Type.Object({
  id: Uuid,
  name: Type.Union([Type.String(), Type.Null()]),
  line1: Type.String(),
  line2: Type.Union([Type.String(), Type.Null()]),
  city: Type.String(),
  region: Type.String(),
  postal_code: Type.String(),
  country: Type.String(),
  latitude: Type.Number(),
  longitude: Type.Number(),
  is_default: Type.Boolean(),
  created_at: Timestamp,
});

/** The new-address body, shared with the storefront's address form. */
export const NewAddressBody = Type.Object(
  {
    name: Type.Optional(Text(200)),
    line1: Text(200),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Text(100),
    region: Text(100),
    postal_code: Type.String({ minLength: 3, maxLength: 12 }),
    country: Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2' }),
    is_default: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, examples: [{ line1: '350 Fifth Avenue', city: 'New York', region: 'NY', postal_code: '10118', country: 'US' }] },
);

export const presentAddress = (a: Address) => ({
  id: a.id,
  name: a.name,
  line1: a.line1,
  line2: a.line2,
  city: a.city,
  region: a.region,
  postal_code: a.postalCode,
  country: a.country,
  latitude: a.latitude,
  longitude: a.longitude,
  is_default: a.isDefault,
  created_at: a.createdAt.toISOString(),
});

export const addressRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { identity } = ctx.services;
  const common = { preHandler: requireAuth(), schema: { tags: ['identity'], security: bearerSecurity } };

  app.post(
    '/v1/addresses',
    {
      ...common,
      schema: {
        ...common.schema,
        operationId: 'createAddress',
        summary: 'Add a shipping address; coordinates come from the postal code',
        body: NewAddressBody,
        response: responses({ 201: AddressSchema }, { 401: ['unauthenticated'], 422: ['too_many_addresses', 'unknown_postal_code', 'unsupported_country'] }),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const address = await identity.addAddress(principalOf(request), {
        ...(b.name !== undefined ? { name: b.name } : {}),
        line1: b.line1,
        ...(b.line2 !== undefined ? { line2: b.line2 } : {}),
        city: b.city,
        region: b.region,
        postalCode: b.postal_code,
        country: b.country,
        ...(b.is_default !== undefined ? { isDefault: b.is_default } : {}),
      });
      return reply.status(201).send(presentAddress(address));
    },
  );

  app.get(
    '/v1/addresses',
    { ...common, schema: { ...common.schema, operationId: 'listAddresses', summary: 'My addresses, default first', response: responses({ 200: Type.Object({ addresses: Type.Array(AddressSchema) }) }, [401]) } },
    async (request) => ({ addresses: (await identity.listAddresses(principalOf(request))).map(presentAddress) }),
  );

  app.get(
    '/v1/addresses/:id',
    { ...common, schema: { ...common.schema, operationId: 'getAddress', summary: 'One of my addresses', params: IdParams, response: responses({ 200: AddressSchema }, { 401: ['unauthenticated'], 404: ['address_not_found'] }) } },
    async (request) => presentAddress(await identity.getAddress(principalOf(request), request.params.id)),
  );

  app.delete(
    '/v1/addresses/:id',
    { ...common, schema: { ...common.schema, operationId: 'deleteAddress', summary: 'Delete one of my addresses', params: IdParams, response: responses({ 204: Type.Null() }, { 401: ['unauthenticated'], 404: ['address_not_found'] }) } },
    async (request, reply) => {
      await identity.deleteAddress(principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
};
