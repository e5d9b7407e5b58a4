import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Built into web/dist and served by the API process at `/` (src/http/web-assets.ts).
// In development, `npx vite web` proxies the API to a running `npm start`.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: { "/v1": "http://127.0.0.1:3000" } },
});
