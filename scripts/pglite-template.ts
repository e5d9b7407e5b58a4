// postinstall: writes the embedded database's template (src/db/pglite-template.ts) once per
// PGlite version, so the first `npm start` loads it instead of running initdb in the service.
// A failure here only costs memory at first start: it never fails the install.
import { existsSync } from "node:fs";
import { PGLITE_TEMPLATE_PATH, writePgliteTemplate } from "../src/db/pglite-template.js";

if (!existsSync(PGLITE_TEMPLATE_PATH)) {
  try {
    await writePgliteTemplate();
    console.log(`prepaid: wrote ${PGLITE_TEMPLATE_PATH}`);
  } catch (error) {
    console.warn(`prepaid: no PGlite template (${(error as Error).message}); the first start will run initdb itself`);
  }
}
