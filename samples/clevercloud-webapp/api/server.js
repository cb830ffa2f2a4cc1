// The API: a dependency-free Node.js server (node:http only), written for Clever Cloud.
// It listens on PORT (Clever sets 8080) and reads the variables the linked add-ons inject:
// POSTGRESQL_ADDON_URI for the database, CELLAR_ADDON_HOST / KEY_ID / KEY_SECRET for object
// storage, plus CELLAR_BUCKET, a plain variable naming the bucket (Cellar injects none).
// GET /api/health says which settings are present, never their values.
"use strict";

const http = require("node:http");

const PORT = Number.parseInt(process.env.PORT || "8080", 10);

// Read once at start-up, each by its own name (as most apps do).
const SETTINGS = {
  database: { POSTGRESQL_ADDON_URI: process.env.POSTGRESQL_ADDON_URI },
  storage: {
    CELLAR_ADDON_HOST: process.env.CELLAR_ADDON_HOST,
    CELLAR_ADDON_KEY_ID: process.env.CELLAR_ADDON_KEY_ID,
    CELLAR_ADDON_KEY_SECRET: process.env.CELLAR_ADDON_KEY_SECRET,
    CELLAR_BUCKET: process.env.CELLAR_BUCKET,
  },
  session: { SESSION_SECRET: process.env.SESSION_SECRET },
};

// Which settings are present, never their values.
function configured(values) {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, Boolean(value)]));
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

// Clever's path routing passes /api/... unchanged, so the API serves under /api.
const server = http.createServer((req, res) => {
  const url = new URL(req.url || "/", "http://localhost");
  if (req.method === "GET" && (url.pathname === "/api/health" || url.pathname === "/health")) {
    send(res, 200, {
      status: "ok",
      database: configured(SETTINGS.database),
      storage: configured(SETTINGS.storage),
      // CELLAR_ADDON_HOST is a bare host name: clients need https:// in front of it.
      endpoint: SETTINGS.storage.CELLAR_ADDON_HOST ? `https://${SETTINGS.storage.CELLAR_ADDON_HOST}` : null,
      bucket: SETTINGS.storage.CELLAR_BUCKET || null,
    });
    return;
  }
  send(res, 404, { error: "not found", path: url.pathname });
});

server.listen(PORT, "0.0.0.0", () => {
  console.log(`api listening on 0.0.0.0:${PORT}`);
});

function shutdown() {
  server.close(() => process.exit(0));
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
