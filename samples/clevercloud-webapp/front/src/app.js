// A tiny single-page front: it asks the API (same domain, /api) how it is configured.
fetch("/api/health")
  .then((r) => r.json())
  .then((health) => {
    document.getElementById("app").textContent = `API: ${health.status}, path ${location.pathname}`;
  })
  .catch(() => {
    document.getElementById("app").textContent = "API unreachable";
  });
