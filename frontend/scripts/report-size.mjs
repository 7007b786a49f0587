// Reports the gzipped JavaScript of the chat widget (loader + the chat app it opens) and enforces the budget.
// The chat app is what dist/index.html loads (its entry and the chunks it preloads); the console's own
// chunks (dist/admin/index.html) are reported apart and do not count.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_KB = 150;
const dist = new URL("../dist/", import.meta.url).pathname;

function gzipKb(path) {
  return gzipSync(readFileSync(path), { level: 9 }).length / 1024;
}

function scriptsOf(page) {
  const html = readFileSync(join(dist, page), "utf8");
  const found = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((match) => match[1]);
  return new Set(found);
}

const chat = scriptsOf("index.html");
const assets = readdirSync(join(dist, "assets")).filter((name) => name.endsWith(".js"));
if (chat.size === 0) {
  console.error("dist/index.html loads no script: cannot measure the chat");
  process.exit(1);
}
const files = [["widget.js", gzipKb(join(dist, "widget.js"))]];
for (const name of chat) files.push([name, gzipKb(join(dist, name))]);
for (const name of assets.filter((name) => !chat.has(`assets/${name}`))) {
  console.log(
    `  (console) assets/${name.padEnd(30)} ${gzipKb(join(dist, "assets", name)).toFixed(2)} KB gzip`,
  );
}

const total = files.reduce((sum, [, kb]) => sum + kb, 0);
for (const [name, kb] of files) console.log(`  ${name.padEnd(40)} ${kb.toFixed(2)} KB gzip`);
console.log(`chat widget JavaScript: ${total.toFixed(2)} KB gzipped (budget ${BUDGET_KB} KB)`);
if (total > BUDGET_KB) {
  console.error(`over budget by ${(total - BUDGET_KB).toFixed(2)} KB`);
  process.exit(1);
}
