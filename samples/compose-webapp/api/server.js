// The API: a dependency-free Node.js server (node:http only).
// GET /health reports which database and storage settings are configured, never their values.
"use strict";

const http = require("node:http");

const PORT = Number.parseInt(process.env.PORT || "3000", 10);
const HOST = process.env.HOST || "0.0.0.0";

const SETTINGS = {
  database: ["DATABASE_URL"],
  storage: ["S3_ENDPOINT", "S3_BUCKET", "S3_ACCESS_KEY", "S3_SECRET_KEY"],
};

function configured(names) {
  const out = {};
  for (const name of names) {
    out[name] = Boolean(process.env[name]);
  }
  return out;
}

function databaseTarget() {
  // Only the host and database name, for operators; the credentials stay out of responses.
  try {
    const url = new URL(process.env.DATABASE_URL || "");
    return { host: url.hostname, database: url.pathname.replace(/^\//, "") };
  } catch {
    return null;
  }
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

const server = http.createServer((req, res) => {
  const url = new URL(req.url || "/", "http://localhost");
  if (req.method === "GET" && url.pathname === "/health") {
    const database = configured(SETTINGS.database);
    const storage = configured(SETTINGS.storage);
    send(res, 200, {
      status: "ok",
      database: { configured: database, target: databaseTarget() },
      storage: { configured: storage, bucket: process.env.S3_BUCKET || null },
    });
    return;
  }
  if (req.method === "GET" && url.pathname === "/") {
    send(res, 200, { name: "webapp-api", routes: ["GET /", "GET /health"] });
    return;
  }
  send(res, 404, { error: "not found", path: url.pathname });
});

server.listen(PORT, HOST, () => {
  console.log(`api listening on http://${HOST}:${PORT}`);
});

function shutdown() {
  server.close(() => process.exit(0));
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
