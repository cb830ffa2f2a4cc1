// Asks the API (through the nginx /api/ route) how it is doing and shows the answer.
// VITE_* names are inlined at build time, as Vite does (see build.mjs): the API base URL is a
// plain setting, the Sentry DSN is treated as a secret.
const apiBase = import.meta.env.VITE_API_BASE || "/api";
const sentryDsn = import.meta.env.VITE_SENTRY_DSN;

fetch(`${apiBase}/health`)
  .then((r) => r.json())
  .then((body) => {
    document.getElementById("health").textContent = JSON.stringify(body, null, 2);
  })
  .catch((err) => {
    document.getElementById("health").textContent = String(err);
  });

if (sentryDsn) {
  document.getElementById("health").dataset.monitored = "yes";
}
