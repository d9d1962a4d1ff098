// The shape of the code, checked: no import cycle inside a package, and the lowest layers (`store/`,
// `lib/`) import nothing above them. Imports are read as text from the source files (tests left out),
// so the check runs in milliseconds and needs no tool.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['shared', 'issuer', 'verifier', 'holder-cli'];
/** Folders whose files may import only from these same folders (and other packages). */
const LOWEST_LAYERS = ['store', 'lib'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'testing' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The package files that `file` imports (relative specifiers only; `./x.js` is `./x.ts`). */
function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1] as string);
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

function graphOf(pkg: string): Map<string, string[]> {
  const src = join(ROOT, pkg, 'src');
  return new Map(sourceFiles(src).map((f) => [relative(src, f), localImports(f).map((i) => relative(src, i))]));
}

/** One cycle of the graph, as the files around it, or undefined. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('architecture', () => {
  for (const pkg of PACKAGES) {
    it(`${pkg}: no import cycle`, () => {
      expect(findCycle(graphOf(pkg))).toBeUndefined();
    });

    it(`${pkg}: store/ and lib/ import nothing from a higher layer`, () => {
      const upward: string[] = [];
      for (const [file, imports] of graphOf(pkg)) {
        const layer = file.split('/')[0] as string;
        if (!LOWEST_LAYERS.includes(layer)) continue;
        for (const target of imports) if (!LOWEST_LAYERS.includes(target.split('/')[0] as string)) upward.push(`${file} → ${target}`);
      }
      expect(upward).toEqual([]);
    });
  }

  it('the checks see a cycle and an upward import when there is one', () => {
    expect(
      findCycle(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', ['c.ts']],
          ['c.ts', ['a.ts']],
        ]),
      ),
    ).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts']);
    expect(
      findCycle(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', []],
        ]),
      ),
    ).toBeUndefined();
    expect(graphOf('issuer').size).toBeGreaterThan(50);
  });
});
