// A stand-in API for the compose e2e test: /health answers "ok", everything else echoes what
// arrived (method, path with query, headers, body length) as JSON.
const http = require("http");
const port = Number(process.env.PORT || 3000);
http.createServer((req, res) => {
  let length = 0;
  req.on("data", (chunk) => { length += chunk.length; });
  req.on("end", () => {
    if (req.url === "/health") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, length }));
  });
}).listen(port, "127.0.0.1");
