import { registerHooks } from "node:module";

/**
 * Resolves drizzle-orm's relative imports without Node's package-scope look-up.
 *
 * Why: on Node 22.19+ and 24 (still on 24.22 and 26.10), resolving each ESM file re-reads the
 * nearest package.json's exports map (nodejs/node#60397); drizzle-orm's is 179 KB and it loads
 * 209 files, so `import "drizzle-orm"` took 600 ms and left a 190 MB heap of parse garbage
 * (Node 20: 64 ms, 8 MB). The embedded first start peaked at 820 MB instead of 485 MB.
 *
 * What: a relative specifier from a file of drizzle-orm is a file of drizzle-orm (its ESM build
 * imports with full `./x.js` paths; it has one package.json, with "type": "module"), so the URL
 * is the specifier against its parent and the format follows the extension. Everything else
 * goes to Node's resolver. Loaded by bin/prepaid before the CLI; test/architecture checks the
 * premises (one package.json, "type": "module") against the installed drizzle-orm.
 */
const DRIZZLE = "/node_modules/drizzle-orm/";

registerHooks({
  resolve(specifier, context, nextResolve) {
    if ((specifier.startsWith("./") || specifier.startsWith("../")) && context.parentURL?.includes(DRIZZLE)) {
      const url = new URL(specifier, context.parentURL);
      if (url.pathname.includes(DRIZZLE)) {
        return { url: url.href, format: url.pathname.endsWith(".cjs") ? "commonjs" : "module", shortCircuit: true };
      }
    }
    return nextResolve(specifier, context);
  },
});
