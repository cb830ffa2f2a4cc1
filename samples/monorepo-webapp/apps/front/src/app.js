// Asks the API (through the nginx /api/ route) how it is doing and shows the answer.
fetch("/api/health")
  .then((r) => r.json())
  .then((body) => {
    document.getElementById("health").textContent = JSON.stringify(body, null, 2);
  })
  .catch((err) => {
    document.getElementById("health").textContent = String(err);
  });
