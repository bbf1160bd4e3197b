/**
 * Writes docs/ERRORS.md: every error code the API answers with, its HTTP status and the
 * operations that can return it, read from the generated OpenAPI document (whose error
 * responses list their codes), plus the codes answered before any route is matched.
 *
 *   npx tsx scripts/error-codes-table.ts          # rewrite docs/ERRORS.md
 *   npx tsx scripts/error-codes-table.ts --check  # exit 1 if it is out of date
 *
 * To add a column (say, a meaning per code), add an entry to COLUMNS.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createContext } from '../src/app/context.ts';
import { buildApp } from '../src/http/app.ts';
import { CONNECTION_ERROR_CODES } from '../src/http/error-handler.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';

export const ERRORS_DOC = path.resolve(import.meta.dirname, '..', 'docs', 'ERRORS.md');

export interface ErrorCodeRow {
  code: string;
  statuses: number[];
  /** operationIds, or undefined for codes answered before routing (bad URL, malformed HTTP). */
  operations?: string[];
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, { content?: Record<string, { schema?: { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } } }> }> }>>;
}

export function collectErrorCodes(doc: OpenApiDocument): { rows: ErrorCodeRow[]; operations: string[] } {
  const byCode = new Map<string, { statuses: Set<number>; operations: Set<string> }>();
  const operations: string[] = [];
  for (const methods of Object.values(doc.paths)) {
    for (const operation of Object.values(methods)) {
      const id = operation.operationId ?? '?';
      operations.push(id);
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        for (const code of response.content?.['application/json']?.schema?.properties?.error?.properties?.code?.enum ?? []) {
          const entry = byCode.get(code) ?? { statuses: new Set(), operations: new Set() };
          entry.statuses.add(Number(status));
          entry.operations.add(id);
          byCode.set(code, entry);
        }
      }
    }
  }
  const rows: ErrorCodeRow[] = [...byCode].map(([code, e]) => ({ code, statuses: [...e.statuses].sort(), operations: [...e.operations].sort() }));
  for (const { code, status } of CONNECTION_ERROR_CODES) {
    const existing = rows.find((r) => r.code === code);
    if (existing) existing.statuses = [...new Set([...existing.statuses, status])].sort();
    else rows.push({ code, statuses: [status] });
  }
  rows.sort((a, b) => a.statuses[0]! - b.statuses[0]! || a.code.localeCompare(b.code));
  return { rows, operations: operations.sort() };
}

function where(row: ErrorCodeRow, all: string[]): string {
  if (!row.operations) return 'any request, before a route is matched';
  const missing = all.filter((op) => !row.operations!.includes(op));
  if (missing.length === 0) return 'every operation';
  if (missing.length <= 6 && row.operations.length > missing.length) return `every operation except ${missing.map((m) => `\`${m}\``).join(', ')}`;
  return row.operations.map((op) => `\`${op}\``).join(', ');
}

const COLUMNS: { title: string; cell(row: ErrorCodeRow, all: string[]): string }[] = [
  { title: 'code', cell: (row) => `\`${row.code}\`` },
  { title: 'HTTP', cell: (row) => row.statuses.join(', ') },
  { title: 'answered by', cell: where },
];

export function renderErrorsDoc(doc: OpenApiDocument): string {
  const { rows, operations } = collectErrorCodes(doc);
  return [
    '# Error codes',
    '',
    'Every error is `{"error": {"code", "message", "details"?, "request_id"}}`. The `code` is stable: match on it,',
    'never on the message. Not-found codes are `<entity>_not_found`. Each operation of the OpenAPI document',
    '(`/docs/json`) lists the codes of each of its error responses as an enum, so generated clients get them typed.',
    '',
    'Generated from the OpenAPI document by `npx tsx scripts/error-codes-table.ts`; a test fails when it is out of date.',
    '',
    `| ${COLUMNS.map((c) => c.title).join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${COLUMNS.map((c) => c.cell(row, operations).replaceAll('|', '\\|')).join(' | ')} |`),
    '',
  ].join('\n');
}

/** The OpenAPI document of a fully wired app on a throwaway in-memory database. */
export async function openApiDocument(): Promise<OpenApiDocument> {
  const config = loadConfig({ LOG_LEVEL: 'silent', PGLITE_PATH: 'memory://' });
  const ctx = await createContext(config, { logger: createLogger('silent'), collectDefaultMetrics: false });
  try {
    const app = await buildApp(ctx);
    await app.ready();
    const doc = app.swagger() as unknown as OpenApiDocument;
    await app.close();
    return doc;
  } finally {
    await ctx.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rendered = renderErrorsDoc(await openApiDocument());
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(ERRORS_DOC) ? fs.readFileSync(ERRORS_DOC, 'utf8') : '';
    if (current !== rendered) {
      console.error('docs/ERRORS.md is out of date: run npx tsx scripts/error-codes-table.ts');
      process.exit(1);
    }
  } else {
    fs.writeFileSync(ERRORS_DOC, rendered);
    console.log(`wrote ${path.relative(process.cwd(), ERRORS_DOC)}`);
  }
}
