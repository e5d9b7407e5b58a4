// The API's types, generated once for the SDK and the dashboard alike (npm run api:types).
export type { components, paths } from "../../../sdk/src/schema.js";
