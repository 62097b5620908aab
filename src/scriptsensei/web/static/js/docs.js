// Starts Swagger UI on the API schema. The viewer's own bootstrap is an inline script,
// which the pages' policy forbids, so it lives here.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // "Try it out" from a signed-in browser: unsafe requests need the session's CSRF token.
  function withCsrfToken(request) {
    var token = csrfToken();
    if (token) {
      request.headers["X-CSRF-Token"] = token;
    }
    return request;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("swagger-ui");
    window.SwaggerUIBundle({
      url: root.getAttribute("data-schema-url"),
      domNode: root,
      deepLinking: true,
      validatorUrl: null, // the default sends the schema's address to an outside service
      presets: [window.SwaggerUIBundle.presets.apis],
      requestInterceptor: withCsrfToken,
    });
  });
})();
