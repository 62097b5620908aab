// The review page: image viewer (zoom, pan, rotate, highlight of where a value was read),
// keyboard review (accept, correct, approve, next field, next prescription) and live
// refresh of the fields when this prescription changes anywhere.
(function () {
  "use strict";

  var ZOOM_STEP = 1.25;
  var ZOOM_MIN = 0.25;
  var ZOOM_MAX = 6;
  var ROTATIONS = {
    0: "none",
    90: "rotate(90deg) translateY(-100%)",
    180: "rotate(180deg) translate(-100%, -100%)",
    270: "rotate(270deg) translateX(-100%)"
  };
  var REFRESHED_IDS = ["fields-panel", "rx-status", "review-status"];

  var zoom = 1;
  var rotation = 0;
  var current = -1;
  var refreshing = false;
  var refreshAgain = false;

  function root() { return document.getElementById("review-root"); }
  function rxId() { return root().getAttribute("data-rx"); }
  function canReview() { return root().getAttribute("data-can-review") === "true"; }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#review-fields tr.field")); }
  function api(method, url, body) { return window.ScriptSensei.api(method, url, body); }
  function base() { return "/api/prescriptions/" + encodeURIComponent(rxId()); }

  // --- the image -----------------------------------------------------------------------

  function applyView() {
    var stage = document.getElementById("viewer-stage");
    stage.style.width = (zoom * 100) + "%";
    stage.style.transform = ROTATIONS[rotation];
    document.getElementById("zoom-level").textContent = Math.round(zoom * 100) + " %" + (rotation ? ", rotated " + rotation + "°" : "");
  }

  function viewAction(action) {
    if (action === "zoom-in") { zoom = Math.min(ZOOM_MAX, zoom * ZOOM_STEP); }
    if (action === "zoom-out") { zoom = Math.max(ZOOM_MIN, zoom / ZOOM_STEP); }
    if (action === "reset") { zoom = 1; rotation = 0; }
    if (action === "rotate") { rotation = (rotation + 90) % 360; }
    applyView();
  }

  function hideHighlights() {
    document.querySelectorAll(".page .highlight").forEach(function (box) { box.hidden = true; });
    document.querySelectorAll("#review-fields .highlighted").forEach(function (cell) { cell.classList.remove("highlighted"); });
  }

  // A cell's box as fractions of its page. Engines report fractions; a value found among
  // the OCR lines (data-box-unit="px") is in pixels of the page image shown here.
  function boxOf(cell, page) {
    var box = cell.getAttribute("data-box").split(",").map(parseFloat);
    if (cell.getAttribute("data-box-unit") !== "px") { return box; }
    var img = page.querySelector("img");
    var width = img ? img.naturalWidth : 0;
    var height = img ? img.naturalHeight : 0;
    if (!width || !height) { return null; }
    return [box[0] / width, box[1] / height, box[2] / width, box[3] / height];
  }

  function highlight(cell) {
    hideHighlights();
    if (!cell || !cell.hasAttribute("data-box")) { return false; }
    var page = document.querySelector('.page[data-page-index="' + cell.getAttribute("data-page") + '"]') || document.querySelector(".page");
    var box = page && boxOf(cell, page);
    if (!box) { return false; }
    var mark = page.querySelector(".highlight");
    mark.style.left = (box[0] * 100) + "%";
    mark.style.top = (box[1] * 100) + "%";
    mark.style.width = Math.max(0.5, (box[2] - box[0]) * 100) + "%";
    mark.style.height = Math.max(0.5, (box[3] - box[1]) * 100) + "%";
    mark.setAttribute("data-engine", cell.getAttribute("data-engine"));
    mark.toggleAttribute("data-found", cell.getAttribute("data-box-unit") === "px");
    mark.hidden = false;
    cell.classList.add("highlighted");
    return true;
  }

  function bindPan() {
    var viewer = document.getElementById("viewer");
    var start = null;
    viewer.addEventListener("pointerdown", function (event) {
      start = { x: event.clientX, y: event.clientY, left: viewer.scrollLeft, top: viewer.scrollTop };
      viewer.setPointerCapture(event.pointerId);
      viewer.classList.add("panning");
    });
    viewer.addEventListener("pointermove", function (event) {
      if (!start) { return; }
      viewer.scrollLeft = start.left - (event.clientX - start.x);
      viewer.scrollTop = start.top - (event.clientY - start.y);
    });
    function stop() { start = null; viewer.classList.remove("panning"); }
    viewer.addEventListener("pointerup", stop);
    viewer.addEventListener("pointercancel", stop);
  }

  // --- fields --------------------------------------------------------------------------

  function focusField(index) {
    var all = rows();
    if (!all.length) { return; }
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (tr) { tr.classList.remove("current"); });
    var tr = all[current];
    tr.classList.add("current");
    tr.focus({ preventScroll: true });
    tr.scrollIntoView({ block: "nearest" });
    var cell = tr.querySelector(".engine-value.agrees[data-box]") || tr.querySelector(".consensus[data-box]") || tr.querySelector(".engine-value[data-box]");
    if (cell) { highlight(cell); } else { hideHighlights(); }
  }

  function nextNeedingReview() {
    var all = rows();
    for (var step = 1; step <= all.length; step += 1) {
      var index = (current + step) % all.length;
      if (all[index].getAttribute("data-needs-review") === "true") { focusField(index); return; }
    }
    window.ScriptSensei.toast("No field needs review.", "ok");
  }

  function currentRow() { return rows()[current] || null; }

  async function accept(engine) {
    var tr = currentRow();
    if (!tr || !canReview()) { return; }
    try {
      await api("POST", base() + "/review/accept", { fieldName: tr.getAttribute("data-field"), engine: engine || null });
      window.ScriptSensei.toast("Accepted " + (engine ? engine + "'s" : "the consensus") + " value.", "ok");
      await refresh();
    } catch (err) {
      window.ScriptSensei.toast(err.message, "error");
    }
  }

  async function saveCorrection(form) {
    var input = form.querySelector("input[name=value]");
    var value = input.value.trim();
    var updates = {};
    updates[form.getAttribute("data-field")] = value === "" ? null : value;
    try {
      await api("PATCH", base() + "/extracted-data", { fieldUpdates: updates });
      window.ScriptSensei.toast("Saved.", "ok");
      await refresh();
    } catch (err) {
      window.ScriptSensei.toast(err.message, "error");
    }
  }

  async function approve() {
    var force = document.getElementById("approve-force");
    try {
      await api("POST", base() + "/approve", { force: !!(force && force.checked) });
      window.ScriptSensei.toast("Approved.", "ok");
      await refresh();
    } catch (err) {
      window.ScriptSensei.toast(err.message, "error");
    }
  }

  function editCurrent() {
    var tr = currentRow();
    var input = tr && tr.querySelector("form.correction input[name=value]");
    if (input) { input.focus(); input.select(); }
  }

  // --- live refresh ----------------------------------------------------------------------

  async function refresh() {
    if (refreshing) { refreshAgain = true; return; }
    refreshing = true;
    var field = currentRow() ? currentRow().getAttribute("data-field") : null;
    try {
      var response = await fetch(window.location.pathname, { credentials: "same-origin" });
      if (response.ok) {
        var page = new DOMParser().parseFromString(await response.text(), "text/html");
        REFRESHED_IDS.forEach(function (id) {
          var fresh = page.getElementById(id);
          var old = document.getElementById(id);
          if (fresh && old) { old.replaceWith(document.importNode(fresh, true)); }
        });
        var index = rows().findIndex(function (tr) { return tr.getAttribute("data-field") === field; });
        if (index >= 0) { focusField(index); }
      }
    } finally {
      refreshing = false;
      if (refreshAgain) { refreshAgain = false; refresh(); }
    }
  }

  // --- keyboard ----------------------------------------------------------------------------

  function toggleHelp(show) {
    var overlay = document.getElementById("help-overlay");
    overlay.hidden = show === undefined ? !overlay.hidden : !show;
    if (!overlay.hidden) { document.getElementById("help-close").focus(); }
  }

  function typing(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
  }

  var KEYS = {
    j: function () { focusField(current + 1); },
    ArrowDown: function () { focusField(current + 1); },
    k: function () { focusField(current - 1); },
    ArrowUp: function () { focusField(current - 1); },
    n: nextNeedingReview,
    a: function () { accept(null); },
    A: approve,
    e: editCurrent,
    "]": function () { window.location.href = "/review/next?after=" + encodeURIComponent(rxId()); },
    "+": function () { viewAction("zoom-in"); },
    "=": function () { viewAction("zoom-in"); },
    "-": function () { viewAction("zoom-out"); },
    "0": function () { viewAction("reset"); },
    r: function () { viewAction("rotate"); },
    "?": function () { toggleHelp(); }
  };

  function engineKey(key) {
    if (!/^[1-9]$/.test(key)) { return false; }
    var tr = currentRow();
    var cells = tr ? tr.querySelectorAll(".engine-value") : [];
    var cell = cells[parseInt(key, 10) - 1];
    if (cell && cell.querySelector("[data-accept-engine]")) { accept(cell.getAttribute("data-engine")); }
    return true;
  }

  function onKey(event) {
    if (event.key === "Escape") {
      if (!document.getElementById("help-overlay").hidden) { toggleHelp(false); return; }
      if (typing(event.target) && event.target.hasAttribute("data-original")) {
        event.target.value = event.target.getAttribute("data-original");
        if (currentRow()) { currentRow().focus(); }
      }
      return;
    }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key !== "0" && engineKey(event.key)) { event.preventDefault(); return; }
    var action = KEYS[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  }

  // --- wiring --------------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", function () {
    if (!root()) { return; }
    applyView();
    bindPan();
    document.addEventListener("keydown", onKey);
    document.getElementById("help-open").addEventListener("click", function () { toggleHelp(true); });
    document.getElementById("help-close").addEventListener("click", function () { toggleHelp(false); });
  });

  document.addEventListener("click", function (event) {
    var view = event.target.closest("[data-view]");
    if (view) { viewAction(view.getAttribute("data-view")); return; }
    var use = event.target.closest("[data-accept-engine]");
    if (use) {
      var tr = use.closest("tr.field");
      focusField(rows().indexOf(tr));
      accept(use.getAttribute("data-accept-engine"));
      return;
    }
    if (event.target.closest("#approve")) { approve(); return; }
    var row = event.target.closest("tr.field");
    if (row && !event.target.closest("form")) { focusField(rows().indexOf(row)); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form.correction");
    if (!form) { return; }
    event.preventDefault();
    var tr = form.closest("tr.field");
    current = rows().indexOf(tr);
    saveCorrection(form);
  });

  document.addEventListener("focusin", function (event) {
    var tr = event.target.closest && event.target.closest("tr.field");
    if (tr && event.target.tagName === "INPUT") { current = rows().indexOf(tr); }
  });

  var LOCATED = "#review-fields td[data-box]";
  document.addEventListener("mouseover", function (event) {
    var cell = event.target.closest && event.target.closest(LOCATED);
    if (cell) { highlight(cell); }
  });
  document.addEventListener("mouseout", function (event) {
    var cell = event.target.closest && event.target.closest(LOCATED);
    if (cell && !cell.contains(event.relatedTarget)) { hideHighlights(); }
  });

  document.addEventListener("ss:event", function (event) {
    var message = event.detail;
    if (!root()) { return; }
    if (message.type === "resync" || message.prescriptionId === rxId()) {
      if (message.type === "prescription_deleted") {
        window.ScriptSensei.toast("This prescription was deleted.", "error");
        return;
      }
      refresh();
    }
  });
})();
