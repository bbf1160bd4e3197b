/**
 * Module boundary check (run in CI): dependencies point one way, platform ← modules ← http/app,
 * and a module is reached only through its index.ts. Only the checkout orchestrator may
 * use other modules (through their index); every module may use `events` for the outbox.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', 'src');
const ORCHESTRATORS = new Set(['checkout']);
const SHARED_MODULES = new Set(['events']);

function* walk(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.tsx')) yield full;
  }
}

const problems: string[] = [];
const importPattern = /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/g;

for (const file of walk(ROOT)) {
  const rel = path.relative(ROOT, file);
  const [layer, moduleName] = rel.split(path.sep);
  const source = fs.readFileSync(file, 'utf8');
  for (const match of source.matchAll(importPattern)) {
    const spec = match[1]!;
    if (layer === 'web' && (spec === 'kysely' || spec === 'pg' || spec.startsWith('@electric-sql/'))) problems.push(`${rel}: imports ${spec} (web pages use services, never SQL)`);
    if (!spec.startsWith('.')) continue;
    const target = path.relative(ROOT, path.resolve(path.dirname(file), spec));
    const [targetLayer, targetModule, ...rest] = target.split(path.sep);
    const where = `${rel}: imports ${spec}`;
    if (layer === 'platform' && targetLayer !== 'platform' && targetLayer !== 'types') problems.push(`${where} (platform must not depend on ${targetLayer})`);
    if (layer === 'modules' && (targetLayer === 'http' || targetLayer === 'app' || targetLayer === 'cli')) problems.push(`${where} (modules must not depend on ${targetLayer})`);
    // Pages call services through the app context: never a repository, a table or SQL.
    if (layer === 'web' && (target.startsWith(`platform${path.sep}database`) || /\.(repository|tables|sql)\.ts$/.test(target))) {
      problems.push(`${where} (web pages use services, never repositories, tables or SQL)`);
    }
    if (targetLayer === 'modules' && targetModule !== moduleName) {
      const viaIndex = rest.length === 1 && rest[0] === 'index.ts';
      if (!viaIndex) problems.push(`${where} (reach another module only through its index.ts)`);
      if (layer === 'modules' && !ORCHESTRATORS.has(moduleName!) && !SHARED_MODULES.has(targetModule!)) {
        problems.push(`${where} (module ${moduleName} must not depend on module ${targetModule}; use a port wired in src/app)`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`Module boundary violations:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('module boundaries ok');
