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
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    filter: true,
    tryItOutEnabled: false,
    // A key typed into "Authorize" lives in this tab only.
    persistAuthorization: false,
    withCredentials: true,
  });
});
