// The API: node:http only. GET /health says whether the database is configured (never its URL).
"use strict";

const http = require("node:http");

const PORT = Number.parseInt(process.env.PORT || "3000", 10);
const HOST = process.env.HOST || "0.0.0.0";

http
  .createServer((req, res) => {
    const url = new URL(req.url || "/", "http://localhost");
    const body =
      url.pathname === "/health"
        ? { status: "ok", database: Boolean(process.env.DATABASE_URL) }
        : { error: "not found" };
    res.writeHead(url.pathname === "/health" ? 200 : 404, {
      "content-type": "application/json; charset=utf-8",
    });
    res.end(JSON.stringify(body));
  })
  .listen(PORT, HOST);
