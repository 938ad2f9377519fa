/**
 * Exports are for others: an export nobody imports (from another file of the
 * library, the CLI, the tests, the bench or the scripts) is dead, and fails
 * here; the package's own exports (src/index.ts) are exactly the names the
 * README's "As a library" section documents. Syntax only (no type checker):
 * each file is parsed once with TypeScript's parser.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../helpers/root.js';

import type * as TS from 'typescript';

const ts = createRequire(import.meta.url)('typescript') as typeof TS;

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules') return [];
    return statSync(join(ROOT, path)).isDirectory() ? files(path) : /\.(ts|mjs|cjs)$/.test(entry) ? [path] : [];
  });
}

const sources = [...files('src'), ...files('commands')].filter((f) => f.endsWith('.ts'));
const users = [...sources, ...files('test'), ...files('bench'), ...files('scripts')];

/** A module specifier as a source path from the root, or null for a package. */
function target(from: string, spec: string): string | null {
  const dist = /(?:^|\/)dist\/((?:src|commands)\/.+)\.js$/.exec(spec);
  if (dist) return `${dist[1]}.ts`;
  if (!spec.startsWith('.')) return null;
  return relative(ROOT, resolve(dirname(join(ROOT, from)), spec)).replace(/\.js$/, '.ts');
}

/** The names a module exports (declarations and export lists). */
function exportsOf(path: string): string[] {
  const sf = ts.createSourceFile(path, readFileSync(join(ROOT, path), 'utf8'), ts.ScriptTarget.Latest, true);
  const names: string[] = [];
  for (const st of sf.statements) {
    const exported = ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause))
      names.push(...st.exportClause.elements.map((e) => e.name.text));
    else if (exported && ts.isVariableStatement(st))
      names.push(...st.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : [])));
    else if (exported && 'name' in st && st.name && ts.isIdentifier(st.name as TS.Node)) names.push((st.name as TS.Identifier).text);
  }
  return names;
}

/** "path#name" for every name some file takes from another module; "path#*" for a whole module. */
function usedNames(): Set<string> {
  const used = new Set<string>();
  for (const from of users) {
    const text = readFileSync(join(ROOT, from), 'utf8');
    const sf = ts.createSourceFile(from, text, ts.ScriptTarget.Latest, true);
    const visit = (node: TS.Node): void => {
      if (
        (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier)
      ) {
        const to = target(from, node.moduleSpecifier.text);
        if (to) {
          const bindings = ts.isImportDeclaration(node) ? node.importClause?.namedBindings : node.exportClause;
          if (bindings && (ts.isNamedImports(bindings) || ts.isNamedExports(bindings)))
            for (const e of bindings.elements) used.add(`${to}#${(e.propertyName ?? e.name).text}`);
          else used.add(`${to}#*`);
        }
      }
      // import('./x.js') or import(join(root, 'dist/src/x.js')): the names destructured from it, else all of it
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const literal = node.arguments.flatMap((a) =>
          ts.isStringLiteral(a) ? [a.text] : ts.isCallExpression(a) ? a.arguments.filter(ts.isStringLiteral).map((s) => s.text) : [],
        );
        const to = literal.map((s) => target(from, s)).find((t) => t !== null) ?? null;
        let parent: TS.Node = node.parent;
        while (ts.isAwaitExpression(parent) || ts.isParenthesizedExpression(parent)) parent = parent.parent;
        if (to && ts.isVariableDeclaration(parent) && ts.isObjectBindingPattern(parent.name))
          for (const e of parent.name.elements) used.add(`${to}#${((e.propertyName ?? e.name) as TS.Identifier).text}`);
        else if (to) used.add(`${to}#*`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    // a module imported from inside a template string (a program written out by a test)
    for (const [, names, spec] of text.matchAll(/import \{([^}]*)\} from '[^']*?(dist\/(?:src|commands)\/[^']+\.js)'/g))
      for (const n of names!.split(',')) used.add(`${target(from, spec!)}#${n.trim().split(/\s+as\s+/)[0]}`);
  }
  return used;
}

test('every export is imported somewhere else (the package entry excepted)', () => {
  const used = usedNames();
  const dead = sources
    .filter((f) => f !== 'src/index.ts')
    .flatMap((f) => exportsOf(f).map((name) => `${f}#${name}`))
    .filter((key) => !used.has(key) && !used.has(`${key.split('#')[0]}#*`));
  expect(dead).toEqual([]);
});

test("the package exports exactly what the README's library section names", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## As a library'), readme.indexOf('\n## ', readme.indexOf('## As a library') + 3));
  const listed = section.slice(section.indexOf('Everything the package exports'));
  const documented = new Set([...listed.slice(0, listed.indexOf('\n\n')).matchAll(/`([A-Za-z_]+)`/g)].map((m) => m[1]!));
  expect(new Set(exportsOf('src/index.ts'))).toEqual(documented);
});
