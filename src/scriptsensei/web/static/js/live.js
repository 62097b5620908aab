// The page's one live connection (WebSocket /ws, authenticated by the session cookie).
//
// Every event is re-dispatched on `document` as a DOM event "ss:event" (detail: the
// message) and as an htmx trigger named "ss-<type>" on <body>, so pages update from the
// payload or re-fetch just the fragment that changed. Nothing here runs on a timer except
// the reconnection back-off: 1 s doubling to at most 30 s, at most 10 tries, reset by a
// successful open. A page starts from the event number it was rendered at (meta
// "live-seq"; else the number this tab last saw, kept in sessionStorage); after a
// reconnect it asks for what it missed with {"type":"resume","since":lastSeq}.
(function () {
  "use strict";

  var SEQ_KEY = "scriptsensei.lastSeq";
  var BASE_DELAY_MS = 1000;
  var MAX_DELAY_MS = 30000;
  var MAX_TRIES = 10;
  var FINAL_CLOSE_CODES = { 4401: true, 4403: true };

  var socket = null;
  var tries = 0;
  var retryTimer = null;
  var lastSeq = null;

  function readSeq() {
    var raw = null;
    try { raw = window.sessionStorage.getItem(SEQ_KEY); } catch (err) { raw = null; }
    var value = raw === null ? NaN : parseInt(raw, 10);
    return isNaN(value) ? null : value;
  }

  // The page's content is as of the event number it was rendered at: resume from there
  // (a reload included); without one, from the number this tab last saw.
  function startingSeq() {
    var meta = document.querySelector('meta[name="live-seq"]');
    var value = meta ? parseInt(meta.getAttribute("content"), 10) : NaN;
    return isNaN(value) ? readSeq() : value;
  }

  function storeSeq(seq) {
    lastSeq = seq;
    try { window.sessionStorage.setItem(SEQ_KEY, String(seq)); } catch (err) { /* private mode */ }
  }

  function setState(state, label) {
    var indicator = document.getElementById("live-indicator");
    if (indicator) {
      indicator.setAttribute("data-state", state);
      var text = indicator.querySelector(".live-label");
      if (text) { text.textContent = label; }
    }
    var banner = document.getElementById("offline-banner");
    if (banner) { banner.hidden = state !== "offline"; }
    document.documentElement.setAttribute("data-live", state);
  }

  function url() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + "/ws";
  }

  function emit(message) {
    document.dispatchEvent(new CustomEvent("ss:event", { detail: message }));
    if (window.htmx && message.type) {
      window.htmx.trigger(document.body, "ss-" + message.type, message);
    }
  }

  function onMessage(event) {
    var message;
    try { message = JSON.parse(event.data); } catch (err) { return; }
    if (message.type === "connected") {
      if (lastSeq === null || message.seq < lastSeq) {
        // Nothing to resume from, or a restored database: start from now.
        storeSeq(message.seq);
      } else if (message.seq > lastSeq) {
        socket.send(JSON.stringify({ type: "resume", since: lastSeq }));
      }
      return;
    }
    if (message.type === "ping" || message.type === "pong" || message.type === "error") { return; }
    if (message.type === "resync") {
      storeSeq(message.seq);
      emit(message);
      return;
    }
    if (typeof message.seq === "number") {
      if (lastSeq !== null && message.seq <= lastSeq) { return; }
      storeSeq(message.seq);
    }
    emit(message);
  }

  function scheduleRetry(code) {
    if (FINAL_CLOSE_CODES[code]) {
      setState("offline", "Offline (sign in again)");
      return;
    }
    if (tries >= MAX_TRIES) {
      setState("offline", "Offline");
      return;
    }
    var delay = Math.min(BASE_DELAY_MS * Math.pow(2, tries), MAX_DELAY_MS);
    tries += 1;
    setState("reconnecting", "Reconnecting…");
    retryTimer = setTimeout(connect, delay);
  }

  function connect() {
    retryTimer = null;
    try {
      socket = new WebSocket(url());
    } catch (err) {
      scheduleRetry(0);
      return;
    }
    socket.addEventListener("open", function () {
      tries = 0;
      setState("live", "Live");
    });
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", function (event) {
      socket = null;
      scheduleRetry(event.code);
    });
  }

  function reconnectNow() {
    if (socket !== null) { return; }
    if (retryTimer !== null) { clearTimeout(retryTimer); }
    tries = 0;
    connect();
  }

  document.addEventListener("DOMContentLoaded", function () {
    lastSeq = startingSeq();
    if (lastSeq !== null) { storeSeq(lastSeq); }
    var refresh = document.getElementById("offline-refresh");
    if (refresh) {
      refresh.addEventListener("click", function () { window.location.reload(); });
    }
    connect();
  });
  // Coming back online is a good moment to try again at once.
  window.addEventListener("online", reconnectNow);

  window.ScriptSenseiLive = {
    lastSeq: function () { return lastSeq; },
    state: function () { return document.documentElement.getAttribute("data-live"); },
    reconnectNow: reconnectNow
  };
})();
