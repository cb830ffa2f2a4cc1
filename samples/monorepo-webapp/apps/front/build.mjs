// Copies src/ to dist/: stands in for a bundler, with no dependency to install.
import { cpSync, mkdirSync } from "node:fs";

mkdirSync("dist", { recursive: true });
cpSync("src", "dist", { recursive: true });
