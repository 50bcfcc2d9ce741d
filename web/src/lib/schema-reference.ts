/** One documented field of a JSON Schema, flattened: `cloud-init.platforms`, `users[].name`. */
export interface SchemaField {
  path: string;
  type: string;
  required: boolean;
  description?: string;
  default?: string;
  allowed?: string;
}

type Node = Record<string, unknown>;
const MAX_DEPTH = 6;

/**
 * Every field of a schema with its type, whether it is required, its description, default and allowed
 * values, in the schema's order, nested objects and list items after their parent. `$ref`s into `$defs`
 * are followed; the "!x" removal alternative every recipe list accepts is shown as a note, not a type.
 */
export function schemaFields(root: Node): SchemaField[] {
  const out: SchemaField[] = [];
  const resolve = (n: Node): Node => {
    const ref = typeof n.$ref === 'string' ? n.$ref : undefined;
    const m = ref && /^#\/\$defs\/(.+)$/.exec(ref);
    return m ? ((root.$defs as Record<string, Node> | undefined)?.[m[1]!] ?? n) : n;
  };
  const walk = (n: Node, prefix: string, depth: number) => {
    if (depth > MAX_DEPTH) return;
    const props = (n.properties ?? {}) as Record<string, Node>;
    const required = new Set(Array.isArray(n.required) ? n.required as string[] : []);
    for (const [name, raw] of Object.entries(props)) {
      const node = resolve(raw);
      const path = prefix ? `${prefix}.${name}` : name;
      out.push(describe(path, node, required.has(name)));
      const inner = objectOf(node, resolve);
      if (inner) walk(inner.node, inner.list ? `${path}[]` : path, depth + 1);
    }
  };
  walk(root, '', 0);
  return out;
}

function withoutRemoval(n: Node): Node[] {
  const alts = (n.anyOf ?? n.oneOf) as Node[] | undefined;
  return alts ? alts.filter((a) => a.$ref !== '#/$defs/removal') : [n];
}

function typeOf(n: Node): string {
  const alts = withoutRemoval(n);
  if (alts.length !== 1 || alts[0] !== n) return alts.map(typeOf).join(' or ');
  if (Array.isArray(n.enum)) return 'one of the values';
  if (n.const !== undefined) return JSON.stringify(n.const);
  if (n.type === 'array') {
    const items = (n.items ?? {}) as Node;
    const removable = withoutRemoval(items).length !== ((items.anyOf ?? items.oneOf) as Node[] | undefined)?.length && (items.anyOf || items.oneOf);
    return `list of ${typeOf(items)}${removable ? ' ("!x" removes an inherited x)' : ''}`;
  }
  if (n.type === 'object' && n.additionalProperties && typeof n.additionalProperties === 'object' && !n.properties) return `map of ${typeOf(n.additionalProperties as Node)}`;
  return Array.isArray(n.type) ? n.type.join(' or ') : typeof n.type === 'string' ? n.type : 'any';
}

function describe(path: string, n: Node, required: boolean): SchemaField {
  const allowed = Array.isArray(n.enum) ? n.enum.map((v) => JSON.stringify(v)).join(', ') : typeof n.pattern === 'string' ? `matches ${n.pattern}` : undefined;
  return {
    path, type: typeOf(n), required,
    ...(typeof n.description === 'string' ? { description: n.description } : {}),
    ...(n.default !== undefined ? { default: JSON.stringify(n.default) } : {}),
    ...(allowed ? { allowed } : {}),
  };
}

/** The object a field holds (itself, or its list's items), whose fields are listed after it. */
function objectOf(n: Node, resolve: (n: Node) => Node): { node: Node; list: boolean } | undefined {
  const alts = withoutRemoval(n).map(resolve);
  if (alts.length === 1 && alts[0]!.properties) return { node: alts[0]!, list: false };
  if (n.type === 'array' && n.items) {
    const items = withoutRemoval(n.items as Node).map(resolve);
    if (items.length === 1 && items[0]!.properties) return { node: items[0]!, list: true };
  }
  return undefined;
}
