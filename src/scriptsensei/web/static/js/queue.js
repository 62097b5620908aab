// The queue page: rows follow live events (status, engines done, errors); a prescription
// the page has not seen yet is fetched as one row fragment; actions call the JSON API.
(function () {
  "use strict";

  var ICONS = { queued: "◷", processing: "↻", completed: "✓", failed: "✗" };

  function row(id) { return document.getElementById("rx-" + id); }

  function elapsed(row) {
    var since = Date.parse(row.getAttribute("data-uploaded"));
    if (isNaN(since)) { return ""; }
    var seconds = Math.max(0, Math.round((Date.now() - since) / 1000));
    if (seconds < 60) { return seconds + " s"; }
    if (seconds < 3600) { return Math.floor(seconds / 60) + " min " + (seconds % 60) + " s"; }
    return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
  }

  function setStatus(tr, status) {
    tr.setAttribute("data-status", status);
    var badge = tr.querySelector('[data-role="status"]');
    if (badge) {
      badge.className = "badge status-" + status;
      badge.querySelector(".badge-icon").textContent = ICONS[status] || "•";
      badge.querySelector(".badge-text").textContent = status;
    }
    if (status !== "queued") { tr.querySelector('[data-role="position"]').textContent = "—"; }
  }

  function setProgress(tr, message) {
    if (typeof message.enginesTotal !== "number") { return; }
    var done = message.enginesDone || 0;
    var failed = message.enginesFailed || 0;
    var progress = tr.querySelector('[data-role="progress"]');
    progress.max = Math.max(message.enginesTotal, 1);
    progress.value = done + failed;
    tr.querySelector('[data-role="engines"]').textContent = done + " of " + message.enginesTotal + " engines";
    tr.querySelector('[data-role="failed-engines"]').textContent = failed ? " (" + failed + " failed)" : "";
  }

  function renumber() {
    var queued = Array.prototype.slice.call(document.querySelectorAll('#queue-body tr[data-status="queued"]'));
    queued.forEach(function (tr, index) { tr.querySelector('[data-role="position"]').textContent = String(index + 1); });
    document.getElementById("queue-empty").hidden = document.querySelectorAll("#queue-body tr").length > 0;
  }

  function fetchRow(id) {
    if (!window.htmx) { return; }
    var holder = document.createElement("tbody");
    window.htmx.ajax("GET", "/queue/rows/" + encodeURIComponent(id), { target: "#queue-body", swap: "beforeend" })
      .then(renumber);
    return holder;
  }

  function update(message) {
    var id = message.prescriptionId;
    if (!id) { return; }
    var tr = row(id);
    if (message.type === "prescription_deleted") {
      if (tr) { tr.remove(); renumber(); }
      return;
    }
    if (!tr) {
      if (message.type === "prescription_created" || message.type === "prescription_updated") { fetchRow(id); }
      return;
    }
    if (message.status && message.type !== "review_updated") { setStatus(tr, message.status); }
    if (message.type === "engine_progress" && tr.getAttribute("data-status") === "queued") { setStatus(tr, "processing"); }
    setProgress(tr, message);
    if (message.type === "prescription_failed" || message.type === "prescription_updated" || message.type === "prescription_completed") {
      tr.querySelector('[data-role="error"]').textContent = message.error || "";
    }
    tr.querySelector('[data-role="elapsed"]').textContent = elapsed(tr);
    renumber();
  }

  async function act(button) {
    var id = button.getAttribute("data-id");
    var action = button.getAttribute("data-action");
    if (action === "delete") {
      var ok = await window.ScriptSensei.confirmAction("Delete " + button.getAttribute("data-name") + " with its values and reviews? This cannot be undone.");
      if (!ok) { return; }
    }
    button.disabled = true;
    try {
      if (action === "delete") {
        await window.ScriptSensei.api("DELETE", "/api/prescriptions/" + encodeURIComponent(id));
      } else {
        await window.ScriptSensei.api("POST", "/api/prescriptions/" + encodeURIComponent(id) + "/" + action);
      }
      window.ScriptSensei.toast("Done: " + action + ".", "ok");
    } catch (err) {
      window.ScriptSensei.toast(err.message, "error");
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("ss:event", function (event) {
    if (event.detail.type === "resync") { window.location.reload(); return; }
    update(event.detail);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (button) { act(button); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#queue-body tr").forEach(function (tr) {
      tr.querySelector('[data-role="elapsed"]').textContent = elapsed(tr);
    });
  });
})();
