// The front's build step: copies src/ to dist/ and stamps the HTML with a build id so browsers
// fetch fresh assets. Uses only Node's standard library, so no npm install is needed.
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const here = new URL(".", import.meta.url);
const src = new URL("src/", here);
const dist = new URL("dist/", here);

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
cpSync(src, dist, { recursive: true });

const script = readFileSync(new URL("app.js", src));
const id = createHash("sha256").update(script).digest("hex").slice(0, 8);
const html = readFileSync(new URL("index.html", src), "utf8").replace('src="/app.js"', `src="/app.js?v=${id}"`);
writeFileSync(new URL("index.html", dist), html);
console.log(`built dist/ (app.js ${id})`);
