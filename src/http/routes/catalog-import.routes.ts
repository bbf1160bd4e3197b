import { Type } from 'typebox';
import { IMPORT_MAX_ROWS, parseProductCsv, type ProductImportRow } from '../../modules/catalog/index.ts';
import { bearerSecurity, principalOf, requireAuth } from '../plugins/auth.ts';
import { responses, Uuid } from '../schemas/common.ts';
import type { RoutesPlugin } from '../types.ts';
import { editable, toPatch, type Editable } from './catalog-admin.routes.ts';
import { FAMILY_WRITE_CODES, PRODUCT_FIELD_CODES } from './catalog-admin.routes.ts';

/** An import is far larger than other request bodies: up to IMPORT_MAX_ROWS products. */
const IMPORT_BODY_LIMIT = 8 * 1024 * 1024;

const ImportRow = Type.Object(
  {
    id: Type.Optional(Uuid),
    seller_id: Type.Optional(Uuid),
    ...Object.fromEntries(Object.entries(editable).map(([name, schema]) => [name, Type.Optional(schema)])),
  },
  { additionalProperties: false },
);
const JsonImport = Type.Object({ products: Type.Array(ImportRow, { minItems: 1, maxItems: IMPORT_MAX_ROWS }) }, { additionalProperties: false });

const ImportResult = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  products: Type.Array(Type.Object({ row: Type.Integer({ description: '1-based row of the import' }), action: Type.Union([Type.Literal('created'), Type.Literal('updated')]), id: Uuid })),
});

type JsonRow = Editable & { id?: string; seller_id?: string };
const fromJson = (rows: JsonRow[]): ProductImportRow[] =>
  rows.map(({ id, seller_id: sellerId, ...fields }) => ({ ...(id !== undefined ? { id } : {}), ...(sellerId !== undefined ? { sellerId } : {}), fields: toPatch(fields) }));

export const catalogImportRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { catalog } = ctx.services;
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.post(
    '/v1/admin/products/import',
    {
      preHandler: requireAuth('seller', 'admin'),
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['catalog-admin'],
        operationId: 'importProducts',
        security: bearerSecurity,
        summary: `Create and change up to ${IMPORT_MAX_ROWS} products at once, all or nothing: JSON {products: [...]} or text/csv (columns in docs/CATALOG-IMPORT.md)`,
        description:
          'A row with an id changes that product; without one it creates a product (title, category_id and price required). ' +
          'Ratings (avg_rating, review_count) may be set like every other field. The first bad row fails the import with its code and details.row.',
        body: Type.Union([JsonImport, Type.String({ description: 'text/csv with a header row' })]),
        response: responses(
          { 200: ImportResult },
          {
            400: [...PRODUCT_FIELD_CODES, 'import_row_incomplete', 'invalid_import', 'seller_required'],
            401: ['unauthenticated'],
            403: ['forbidden', 'product_suspended'],
            404: ['product_not_found'],
            409: ['import_conflict', 'variant_exists'],
            422: ['category_not_found', 'import_reference_missing', 'seller_not_found', ...FAMILY_WRITE_CODES],
          },
        ),
      },
    },
    async (request) => {
      const body = request.body;
      const rows = typeof body === 'string' ? parseProductCsv(body) : fromJson(body.products as JsonRow[]);
      const imported = await catalog.importProducts(principalOf(request), rows);
      return {
        created: imported.filter((r) => r.action === 'created').length,
        updated: imported.filter((r) => r.action === 'updated').length,
        products: imported.map((r) => ({ row: r.row, action: r.action, id: r.product.id })),
      };
    },
  );
};
