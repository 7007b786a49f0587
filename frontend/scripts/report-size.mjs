// Reports the gzipped JavaScript of the chat widget (loader + the chat app it opens) and enforces the budget.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_KB = 150;
const dist = new URL("../dist/", import.meta.url).pathname;

function gzipKb(path) {
  return gzipSync(readFileSync(path), { level: 9 }).length / 1024;
}

const assets = readdirSync(join(dist, "assets")).filter((name) => name.endsWith(".js"));
const files = [["widget.js", gzipKb(join(dist, "widget.js"))]];
for (const name of assets) files.push([`assets/${name}`, gzipKb(join(dist, "assets", name))]);

const total = files.reduce((sum, [, kb]) => sum + kb, 0);
for (const [name, kb] of files) console.log(`  ${name.padEnd(40)} ${kb.toFixed(2)} KB gzip`);
console.log(`chat widget JavaScript: ${total.toFixed(2)} KB gzipped (budget ${BUDGET_KB} KB)`);
if (total > BUDGET_KB) {
  console.error(`over budget by ${(total - BUDGET_KB).toFixed(2)} KB`);
  process.exit(1);
}
