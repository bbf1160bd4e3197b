import { Type } from 'typebox';
import type { FamilyPatch } from '../../modules/catalog/index.ts';
import { bearerSecurity, principalOf, requireAuth } from '../plugins/auth.ts';
import { IdParams, PageQuery, responses, Uuid } from '../schemas/common.ts';
import { AdminFamily, AdminFamilySummary, familyEditable, presentAdminFamily, presentFamilySummary } from '../schemas/families.ts';
import type { RoutesPlugin } from '../types.ts';

const NewFamilyBody = Type.Object(
  {
    seller_id: Type.Optional(Uuid),
    title: familyEditable.title,
    description: Type.Optional(familyEditable.description),
    brand: Type.Optional(familyEditable.brand),
    category_id: familyEditable.category_id,
    images: Type.Optional(familyEditable.images),
    axes: familyEditable.axes,
    status: Type.Optional(familyEditable.status),
  },
  { additionalProperties: false },
);
const FamilyPatchBody = Type.Partial(Type.Object(familyEditable), { additionalProperties: false, minProperties: 1 });

type FamilyFields = Partial<{
  title: string;
  description: string;
  brand: string | null;
  category_id: number;
  images: string[];
  axes: { name: string; values: string[] }[];
  status: 'active' | 'inactive' | 'suspended';
}>;

const toFamilyPatch = (b: FamilyFields): FamilyPatch => ({
  ...(b.title !== undefined ? { title: b.title } : {}),
  ...(b.description !== undefined ? { description: b.description } : {}),
  ...(b.brand !== undefined ? { brand: b.brand } : {}),
  ...(b.category_id !== undefined ? { categoryId: b.category_id } : {}),
  ...(b.images !== undefined ? { images: b.images } : {}),
  ...(b.axes !== undefined ? { axes: b.axes } : {}),
  ...(b.status !== undefined ? { status: b.status } : {}),
});

export const familyAdminRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { families } = ctx.services;
  const common = { preHandler: requireAuth('seller', 'admin'), schema: { tags: ['catalog-admin'], security: bearerSecurity } };

  app.post(
    '/v1/admin/families',
    {
      ...common,
      schema: {
        ...common.schema,
        operationId: 'createFamily',
        summary: 'Create a variation family (admin: for any seller_id; seller: for itself); products join it with family_id and options',
        body: NewFamilyBody,
        response: responses({ 201: AdminFamily }, { 400: [...['invalid_attributes', 'invalid_axes', 'invalid_brand', 'invalid_description', 'invalid_images', 'invalid_status', 'invalid_title'], 'seller_required'], 401: ['unauthenticated'], 403: ['forbidden'], 422: ['category_not_found', 'seller_not_found'] }),
      },
    },
    async (request, reply) => {
      const { seller_id: sellerId, title, category_id: categoryId, axes, ...rest } = request.body;
      const family = await families.createFamily(principalOf(request), {
        ...toFamilyPatch(rest),
        ...(sellerId !== undefined ? { sellerId } : {}),
        title,
        categoryId,
        axes,
      });
      return reply.status(201).send(presentAdminFamily(family));
    },
  );

  app.get(
    '/v1/admin/families',
    {
      ...common,
      schema: {
        ...common.schema,
        operationId: 'listFamilies',
        summary: 'Families, newest first (admin: every seller or seller_id; seller: its own)',
        querystring: Type.Object({ seller_id: Type.Optional(Uuid), ...PageQuery }, { additionalProperties: false }),
        response: responses({ 200: Type.Object({ families: Type.Array(AdminFamilySummary), next_cursor: Type.Union([Type.String(), Type.Null()]) }) }, { 400: ['invalid_cursor'], 401: ['unauthenticated'], 403: ['forbidden'] }),
      },
    },
    async (request) => {
      const { seller_id: sellerId, cursor, limit } = request.query;
      const page = await families.listFamilies(principalOf(request), {
        limit: limit ?? 20,
        ...(sellerId !== undefined ? { sellerId } : {}),
        ...(cursor !== undefined ? { cursor } : {}),
      });
      return { families: page.families.map(presentFamilySummary), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/admin/families/:id',
    {
      ...common,
      schema: { ...common.schema, operationId: 'getAdminFamily', summary: 'A family in any status with every child', params: IdParams, response: responses({ 200: AdminFamily }, { 401: ['unauthenticated'], 403: ['forbidden'], 404: ['family_not_found'] }) },
    },
    async (request) => presentAdminFamily(await families.getManagedFamily(principalOf(request), request.params.id)),
  );

  app.patch(
    '/v1/admin/families/:id',
    {
      ...common,
      schema: {
        ...common.schema,
        operationId: 'updateFamily',
        summary: 'Change a family; axes gain values freely, but values and axes in use stay (409 axis_in_use)',
        params: IdParams,
        body: FamilyPatchBody,
        response: responses({ 200: AdminFamily }, { 400: ['invalid_attributes', 'invalid_axes', 'invalid_brand', 'invalid_description', 'invalid_images', 'invalid_status', 'invalid_title'], 401: ['unauthenticated'], 403: ['forbidden', 'product_suspended'], 404: ['family_not_found'], 409: ['axis_in_use'], 422: ['category_not_found'] }),
      },
    },
    async (request) => presentAdminFamily(await families.updateFamily(principalOf(request), request.params.id, toFamilyPatch(request.body))),
  );
};
