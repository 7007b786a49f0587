import { defineConfig } from "vitest/config";

// `npm run dev` proxies the API to the app started with `make run`.
const backend = "http://127.0.0.1:3000";

export default defineConfig({
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    target: "es2020",
    sourcemap: false,
    rollupOptions: {
      // Two pages: the customer chat (also what the widget opens) and the operators' console at /admin.
      // Paths are relative to frontend/, where every npm script runs.
      input: { index: "index.html", admin: "admin/index.html" },
    },
  },
  server: {
    proxy: {
      "/api": backend,
      "/socket.io": { target: backend, ws: true },
    },
  },
  test: {
    environment: "jsdom",
    include: ["tests/**/*.test.{ts,tsx}"],
    setupFiles: ["tests/setup.ts"],
    restoreMocks: true,
  },
});
