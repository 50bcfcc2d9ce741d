import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Plugin } from 'vite';
import { recipeJsonSchema } from '../src/recipe/json-schema.ts';

/**
 * The portal's recipe editor validates against the schema `herd schema` prints, with ajv. Ajv compiles a
 * schema into JavaScript with `new Function`, which the portal's CSP (script-src 'self', no 'unsafe-eval')
 * forbids in the browser, so the validator is compiled here, at build time, into plain code (ajv
 * "standalone") and imported as `virtual:recipe-validator`, together with the schema it was compiled from.
 */
export const VIRTUAL_ID = 'virtual:recipe-validator';

/** The ajv the editor's validator is compiled with; tests compile with the same one at run time. */
export function recipeValidatorAjv(): Ajv2020 {
  // unicode: false counts string lengths in UTF-16 units, as zod's min/max do, and without the runtime helper
  // standalone code would require(); ajv calls that option deprecated, and strict mode throws rather than logs,
  // so its logger has nothing else to say
  const ajv = new Ajv2020({ allErrors: true, strict: true, unicode: false, logger: false, code: { source: true, esm: true } });
  // the one format the schema uses (archive sources' uri); the server's zod schema decides the finer points
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S+$/i);
  return ajv;
}

/** ES module source: `export default validate` (an ajv validate function) and `export const schema`. */
export function recipeValidatorModule(): string {
  const schema = recipeJsonSchema();
  const ajv = recipeValidatorAjv();
  const standaloneCode = createRequire(import.meta.url)('ajv/dist/standalone') as (a: Ajv2020, v: unknown) => string;
  const code = standaloneCode(ajv, ajv.compile(schema));
  if (/\brequire\(/.test(code)) throw new Error('the standalone recipe validator requires a runtime module; it cannot run in the browser');
  return `${code}\nexport const schema = ${JSON.stringify(schema)};\n`;
}

export function recipeValidatorPlugin(): Plugin {
  const resolved = `\0${VIRTUAL_ID}`;
  return {
    name: 'herd-recipe-validator',
    resolveId: (id) => (id === VIRTUAL_ID ? resolved : undefined),
    load: (id) => (id === resolved ? recipeValidatorModule() : undefined),
  };
}
