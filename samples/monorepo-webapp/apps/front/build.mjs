// Copies src/ to dist/ and inlines `import.meta.env.VITE_*` from the build environment, the way
// Vite does: it stands in for a bundler, with no dependency to install.
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

mkdirSync("dist", { recursive: true });
cpSync("src", "dist", { recursive: true });

const inline = (text) =>
  text.replace(/import\.meta\.env\.(VITE_[A-Z0-9_]+)/g, (_, name) =>
    JSON.stringify(process.env[name] ?? ""),
  );

for (const file of readdirSync("dist")) {
  if (file.endsWith(".js")) {
    const path = join("dist", file);
    writeFileSync(path, inline(readFileSync(path, "utf8")));
  }
}
