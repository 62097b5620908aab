// The dashboard's live queue follows events; the count cards are re-fetched as one
// fragment (htmx, triggered by live.js) when a status changes.
(function () {
  "use strict";

  function liveItem(message) {
    var id = message.prescriptionId;
    var item = document.getElementById("dash-rx-" + id);
    var list = document.getElementById("live-queue");
    var done = message.type === "prescription_completed" || message.type === "prescription_failed" || message.type === "prescription_deleted";
    if (done) {
      if (item) { item.remove(); }
    } else if (!item && message.type === "prescription_created") {
      item = document.createElement("li");
      item.id = "dash-rx-" + id;
      var link = document.createElement("a");
      link.href = "/prescriptions/" + id;
      link.textContent = message.fileName || id;
      item.appendChild(link);
      var engines = document.createElement("span");
      engines.setAttribute("data-role", "engines");
      engines.textContent = " queued";
      item.appendChild(engines);
      list.appendChild(item);
    } else if (item && typeof message.enginesTotal === "number") {
      item.querySelector('[data-role="engines"]').textContent = " " + (message.enginesDone || 0) + " of " + message.enginesTotal + " engines";
    }
    document.getElementById("live-queue-empty").hidden = list.children.length > 0;
  }

  document.addEventListener("ss:event", function (event) {
    var message = event.detail;
    if (message.type === "resync") { window.location.reload(); return; }
    if (message.prescriptionId) { liveItem(message); }
  });
})();
