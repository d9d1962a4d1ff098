type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A tree of asked claim paths; `true` marks a path asked for whole (everything under it too). */
type AskedTree = Map<string, AskedTree | true>;

function askedTree(paths: Iterable<readonly string[]>): AskedTree {
  const root: AskedTree = new Map();
  for (const path of paths) {
    let node = root;
    for (const [i, segment] of path.entries()) {
      const existing = node.get(segment);
      if (existing === true) break; // already asked whole
      if (i === path.length - 1) {
        node.set(segment, true);
        break;
      }
      const next: AskedTree = existing ?? new Map();
      node.set(segment, next);
      node = next;
    }
  }
  return root;
}

export interface Minimized {
  /** The disclosed claims the request asked for (a whole claim, or the asked members of an object). */
  kept: Obj;
  /** Dotted names of the disclosed claims left out, sorted (names only, never values). */
  dropped: string[];
}

/**
 * Data minimization: keeps of `disclosed` only what the asked paths cover. A path names a claim
 * (`["address"]`: the address with all its members) or one member (`["address","locality"]`,
 * `["age_equal_or_over","20"]`). A walk over the few disclosed claims; nothing is parsed again.
 */
export function keepAsked(disclosed: Obj, paths: Iterable<readonly string[]>): Minimized {
  const dropped: string[] = [];
  const kept = walk(disclosed, askedTree(paths), '', dropped);
  return { kept, dropped: dropped.sort() };
}

function walk(node: Obj, asked: AskedTree, prefix: string, dropped: string[]): Obj {
  const out: Obj = {};
  for (const [name, value] of Object.entries(node)) {
    const here = asked.get(name);
    const dotted = prefix ? `${prefix}.${name}` : name;
    if (here === true) out[name] = value;
    else if (here !== undefined && isObject(value)) {
      const inner = walk(value, here, dotted, dropped);
      if (Object.keys(inner).length > 0) out[name] = inner;
    } else dropped.push(dotted);
  }
  return out;
}
