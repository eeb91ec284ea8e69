// Draws the API reference from the OpenAPI document (Swagger UI, vendored). An external file, since
// the page's policy runs no inline script.
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    // The public validator badge would send the document to another site: off.
    validatorUrl: null,
    // Sections start folded: with all 130-odd operations open, Swagger UI (5.35+) draws only the ones
    // on screen (it virtualises from 150 rows), so the page opened on a short, half-drawn list. Folded,
    // every section shows at once and a link to one operation (deepLinking) opens its section.
    docExpansion: "none",
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    filter: true,
    tryItOutEnabled: false,
    // A key typed into "Authorize" lives in this tab only.
    persistAuthorization: false,
    withCredentials: true,
  });
});
