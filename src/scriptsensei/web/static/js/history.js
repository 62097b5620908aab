// History: select rows, then export them (CSV or JSON through the export API), reprocess
// or delete them (one API call each, after a confirmation). Rows follow live status.
(function () {
  "use strict";

  function selected() {
    return Array.prototype.map.call(document.querySelectorAll(".row-select:checked"), function (box) { return box.value; });
  }

  function updateBar() {
    var ids = selected();
    document.getElementById("selected-count").textContent = ids.length + " selected";
    document.querySelectorAll("[data-bulk]").forEach(function (button) { button.disabled = ids.length === 0; });
  }

  async function eachId(ids, call) {
    var failures = [];
    for (var i = 0; i < ids.length; i += 1) {
      try { await call(ids[i]); } catch (err) { failures.push(err.message); }
    }
    return failures;
  }

  async function bulk(action) {
    var ids = selected();
    if (!ids.length) { return; }
    if (action === "export-csv" || action === "export-json") {
      var kind = action === "export-csv" ? "csv" : "json";
      window.location.href = "/api/export/" + kind + "?prescriptionIds=" + encodeURIComponent(ids.join(","));
      return;
    }
    var words = action === "delete" ? "Delete " + ids.length + " prescription(s) with their values and reviews? This cannot be undone." : "Read " + ids.length + " prescription(s) again with the default config?";
    if (!(await window.ScriptSensei.confirmAction(words))) { return; }
    var failures = await eachId(ids, function (id) {
      var url = "/api/prescriptions/" + encodeURIComponent(id);
      return action === "delete" ? window.ScriptSensei.api("DELETE", url) : window.ScriptSensei.api("POST", url + "/reprocess");
    });
    if (failures.length) {
      window.ScriptSensei.toast(failures.length + " of " + ids.length + " failed: " + failures[0], "error");
    } else {
      window.ScriptSensei.toast(action === "delete" ? "Deleted." : "Queued for reprocessing.", "ok");
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.id === "select-all") {
      document.querySelectorAll(".row-select").forEach(function (box) { box.checked = event.target.checked; });
    }
    if (event.target.id === "select-all" || event.target.classList.contains("row-select")) { updateBar(); }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-bulk]");
    if (button) { bulk(button.getAttribute("data-bulk")); }
  });
  var arrived = 0;
  function announceNew() {
    arrived += 1;
    document.getElementById("history-new-count").textContent = String(arrived);
    document.getElementById("history-new").hidden = false;
  }

  document.addEventListener("ss:event", function (event) {
    var message = event.detail;
    if (message.type === "prescription_created") { announceNew(); return; }
    var tr = message.prescriptionId && document.getElementById("rx-" + message.prescriptionId);
    if (!tr) { return; }
    if (message.type === "prescription_deleted") { tr.remove(); updateBar(); return; }
    if (message.status && message.type !== "review_updated") {
      var badge = tr.querySelector('[data-role="status"]');
      badge.className = "badge status-" + message.status;
      badge.querySelector(".badge-text").textContent = message.status;
    }
    if (message.reviewStatus) {
      tr.querySelector('[data-role="review-cell"]').textContent = message.reviewStatus + (message.fieldsNeedingReview ? " (" + message.fieldsNeedingReview + " to review)" : "");
    }
  });
})();
