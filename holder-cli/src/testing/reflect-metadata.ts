/**
 * The few `Reflect` metadata functions tsyringe (a dependency of @peculiar/x509) insists on at
 * load time. No reflect-metadata package is installed, and test CAs need nothing more than this:
 * metadata kept per object and property, read through the prototype chain.
 */
type Key = unknown;
type Prop = string | symbol | undefined;
const store = new WeakMap<object, Map<Prop, Map<Key, unknown>>>();

function own(target: object, prop: Prop, create: boolean): Map<Key, unknown> | undefined {
  let byProp = store.get(target);
  if (!byProp) {
    if (!create) return undefined;
    byProp = new Map();
    store.set(target, byProp);
  }
  let map = byProp.get(prop);
  if (!map && create) {
    map = new Map();
    byProp.set(prop, map);
  }
  return map;
}

const R = Reflect as unknown as Record<string, unknown>;
if (typeof R.getMetadata !== 'function') {
  const defineMetadata = (key: Key, value: unknown, target: object, prop?: Prop) => {
    own(target, prop, true)?.set(key, value);
  };
  const getOwnMetadata = (key: Key, target: object, prop?: Prop) => own(target, prop, false)?.get(key);
  const getMetadata = (key: Key, target: object, prop?: Prop): unknown => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
      const map = own(t, prop, false);
      if (map?.has(key)) return map.get(key);
    }
    return undefined;
  };
  Object.assign(R, {
    defineMetadata,
    getOwnMetadata,
    getMetadata,
    hasMetadata: (key: Key, target: object, prop?: Prop) => getMetadata(key, target, prop) !== undefined,
    metadata: (key: Key, value: unknown) => (target: object, prop?: Prop) => defineMetadata(key, value, target, prop),
  });
}
