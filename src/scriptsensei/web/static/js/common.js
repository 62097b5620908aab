// Shared helpers of every page: the CSRF token on unsafe requests, JSON calls to the
// API with errors in plain words, a confirmation dialog and a status message.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  async function api(method, url, body) {
    var options = { method: method, headers: { "X-CSRF-Token": csrfToken() }, credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    var response;
    try {
      response = await fetch(url, options);
    } catch (err) {
      throw new Error("The server could not be reached. Check the connection and try again.");
    }
    var data = null;
    var text = await response.text();
    if (text) {
      try { data = JSON.parse(text); } catch (err) { data = null; }
    }
    if (!response.ok) {
      var detail = data && data.detail ? data.detail : "The server answered " + response.status + ".";
      var error = new Error(detail);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  var toastTimer = null;
  function toast(message, kind) {
    var box = document.getElementById("toast");
    if (!box) { return; }
    box.textContent = message;
    box.className = "toast " + (kind || "info");
    box.hidden = false;
    // A one-off delay to hide a message: not a polling loop.
    if (toastTimer) { clearTimeout(toastTimer); }
    toastTimer = setTimeout(function () { box.hidden = true; }, 6000);
  }

  function confirmAction(text) {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      return Promise.resolve(window.confirm(text));
    }
    document.getElementById("confirm-text").textContent = text;
    return new Promise(function (resolve) {
      dialog.addEventListener("close", function onClose() {
        dialog.removeEventListener("close", onClose);
        resolve(dialog.returnValue === "ok");
      });
      dialog.returnValue = "";
      dialog.showModal();
      document.getElementById("confirm-no").focus();
    });
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  window.ScriptSensei = { api: api, toast: toast, confirmAction: confirmAction, csrfToken: csrfToken };
})();
