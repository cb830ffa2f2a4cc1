// Asks the API (through nginx's /api/ proxy) whether it is healthy and shows the answer.
const status = document.getElementById("status");

fetch("/api/health")
  .then((response) => response.json())
  .then((body) => {
    status.textContent = body.status === "ok" ? "ok" : "unhealthy";
  })
  .catch(() => {
    status.textContent = "unreachable";
  });
