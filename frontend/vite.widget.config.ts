import { defineConfig } from "vite";

// The one-script-tag loader, built on its own as dist/widget.js (stable name: carriers embed it as is).
export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: false,
    target: "es2018",
    copyPublicDir: false,
    lib: {
      entry: "src/widget/loader.ts",
      formats: ["iife"],
      name: "MnpChatWidget",
      fileName: () => "widget.js",
    },
  },
});
