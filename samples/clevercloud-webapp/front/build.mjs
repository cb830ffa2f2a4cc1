// The front's "build": copy the sources and the SPA fallback into dist/, the folder Clever
// serves (CC_WEBROOT=/dist inside APP_FOLDER=front). No dependencies.
import { cpSync, mkdirSync, rmSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist");
cpSync("src", "dist", { recursive: true });
cpSync(".htaccess", "dist/.htaccess");
console.log("built dist/");
