// Settings: forms post JSON to the API (configs, users, API keys), buttons call it
// (make default, delete, revoke), a new API key is shown once. The page is reloaded
// after a change so it shows what the server stored.
(function () {
  "use strict";

  function formBody(form) {
    var body = {};
    form.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (field) {
      var name = field.getAttribute("name");
      var kind = field.getAttribute("data-type");
      if (kind === "list") {
        body[name] = body[name] || [];
        if (field.checked) { body[name].push(field.value); }
      } else if (kind === "map") {
        var parts = name.split(".");
        body[parts[0]] = body[parts[0]] || {};
        if (field.value.trim()) { body[parts[0]][parts[1]] = field.value.trim(); }
      } else if (kind === "number") {
        body[name] = field.value === "" ? null : parseFloat(field.value);
      } else {
        body[name] = field.value;
      }
    });
    return body;
  }

  function showError(form, message) {
    var box = form.querySelector(".form-error");
    if (box) { box.textContent = message; box.hidden = false; } else { window.ScriptSensei.toast(message, "error"); }
  }

  async function submitForm(form) {
    try {
      var answer = await window.ScriptSensei.api(form.getAttribute("data-method"), form.getAttribute("data-url"), formBody(form));
      if (form.getAttribute("data-show-key") === "true" && answer && answer.key) {
        document.getElementById("new-key-value").textContent = answer.key;
        document.getElementById("new-key").hidden = false;
        document.getElementById("new-key-done").focus();
        return;
      }
      window.location.reload();
    } catch (err) {
      showError(form, err.message);
    }
  }

  async function callButton(button) {
    var question = button.getAttribute("data-confirm");
    if (question && !(await window.ScriptSensei.confirmAction(question))) { return; }
    try {
      await window.ScriptSensei.api(button.getAttribute("data-method"), button.getAttribute("data-api"));
      window.location.reload();
    } catch (err) {
      window.ScriptSensei.toast(err.message, "error");
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form.json-form");
    if (!form) { return; }
    event.preventDefault();
    submitForm(form);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-api]");
    if (button) { callButton(button); return; }
    var reset = event.target.closest("[data-reset-prompt]");
    if (reset) {
      document.getElementById(reset.getAttribute("data-reset-prompt")).value = "";
      window.ScriptSensei.toast("Prompt cleared: save the config to use the default prompt.", "info");
      return;
    }
    if (event.target.id === "new-key-done") { window.location.reload(); }
  });
  document.addEventListener("change", async function (event) {
    var select = event.target.closest("select[data-user-role]");
    if (!select) { return; }
    try {
      await window.ScriptSensei.api("PATCH", "/api/users/" + encodeURIComponent(select.getAttribute("data-user-role")), { role: select.value });
      window.ScriptSensei.toast("Role changed.", "ok");
    } catch (err) {
      window.ScriptSensei.toast(err.message, "error");
    }
  });
})();
