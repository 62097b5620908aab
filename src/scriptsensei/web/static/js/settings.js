// Settings: forms send JSON to the API (engines, configs, users, API keys), buttons call
// it (make default, delete, revoke, (de)activate), switches turn engines on and off, a
// prompt's reset removes the custom prompt and shows the built-in one, a new API key is
// shown once. After most changes the page is reloaded so it shows what the server stored.
(function () {
  "use strict";

  function fieldValue(field, kind) {
    if (kind === "number") { return field.value === "" ? null : parseFloat(field.value); }
    if (kind === "nullable") { return field.value.trim() === "" ? null : field.value.trim(); }
    return field.value;
  }

  function formBody(form) {
    var onlyChanged = form.getAttribute("data-changed-only") === "true";
    var body = {};
    form.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (field) {
      var name = field.getAttribute("name");
      var kind = field.getAttribute("data-type");
      if (onlyChanged && field.value === field.defaultValue) { return; }
      if (kind === "list") {
        body[name] = body[name] || [];
        if (field.checked) { body[name].push(field.value); }
      } else if (kind === "map") {
        // "customPrompts.patientDetails.patientName": the map, then the field's own path.
        var dot = name.indexOf(".");
        var map = name.slice(0, dot);
        body[map] = body[map] || {};
        if (field.value.trim()) { body[map][name.slice(dot + 1)] = field.value.trim(); }
      } else {
        body[name] = fieldValue(field, kind);
      }
    });
    return body;
  }

  function showError(form, message) {
    var box = form.querySelector(".form-error");
    if (box) { box.textContent = message; box.hidden = false; } else { window.ScriptSensei.toast(message, "error"); }
  }

  function showNewKey(key) {
    document.getElementById("new-key-value").textContent = key;
    document.getElementById("new-key").hidden = false;
    document.getElementById("new-key-done").focus();
  }

  async function submitForm(form) {
    var body = formBody(form);
    if (Object.keys(body).length === 0) {
      window.ScriptSensei.toast("Nothing changed.", "info");
      return;
    }
    try {
      var answer = await window.ScriptSensei.api(form.getAttribute("data-method"), form.getAttribute("data-url"), body);
      if (form.getAttribute("data-show-key") === "true" && answer && answer.key) {
        showNewKey(answer.key);
        return;
      }
      var success = form.getAttribute("data-success");
      if (success) {
        form.reset();
        window.ScriptSensei.toast(success, "ok");
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
    var body = button.getAttribute("data-body");
    try {
      await window.ScriptSensei.api(button.getAttribute("data-method"), button.getAttribute("data-api"), body ? JSON.parse(body) : undefined);
      window.location.reload();
    } catch (err) {
      window.ScriptSensei.toast(err.message, "error");
    }
  }

  // Removes the stored custom prompt (a new config has none yet), then shows the default.
  async function resetPrompt(button) {
    var textarea = document.getElementById(button.getAttribute("data-reset-prompt"));
    var field = button.getAttribute("data-field");
    var config = button.getAttribute("data-config");
    try {
      if (config) {
        await window.ScriptSensei.api("DELETE", "/api/configs/" + encodeURIComponent(config) + "/prompts/" + encodeURIComponent(field));
      }
    } catch (err) {
      window.ScriptSensei.toast(err.message, "error");
      return;
    }
    textarea.value = "";
    textarea.defaultValue = "";
    document.getElementById(textarea.id + "-default").hidden = false;
    window.ScriptSensei.toast("The " + field + " prompt is back to the default.", "ok");
  }

  async function switchEngine(box) {
    var name = box.getAttribute("data-engine-enabled");
    try {
      await window.ScriptSensei.api("PUT", "/api/engines/" + encodeURIComponent(name), { enabled: box.checked });
      window.location.reload();
    } catch (err) {
      box.checked = !box.checked;
      window.ScriptSensei.toast(err.message, "error");
    }
  }

  async function changeRole(select) {
    try {
      await window.ScriptSensei.api("PATCH", "/api/users/" + encodeURIComponent(select.getAttribute("data-user-role")), { role: select.value });
      window.ScriptSensei.toast("Role changed.", "ok");
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
    if (reset) { resetPrompt(reset); return; }
    if (event.target.id === "new-key-done") { window.location.reload(); }
  });
  document.addEventListener("change", function (event) {
    var engine = event.target.closest("input[data-engine-enabled]");
    if (engine) { switchEngine(engine); return; }
    var select = event.target.closest("select[data-user-role]");
    if (select) { changeRole(select); }
  });
})();
