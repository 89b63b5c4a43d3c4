// Live updates (decision 0022). Elements with data-live-channel="store:12:floor" follow that
// channel; the page opens one EventSource on /live/stream for all of them (it reconnects by
// itself). On each event, every element of its channel
//   * receives the DOM event "live:<event>" (detail: {channel, event, data, id}; it bubbles, so
//     document listeners hear it too), and
//   * when it has data-live-url, GETs that URL and swaps the answer in (data-live-swap, default
//     innerHTML; through htmx when the page has it).
// The events listened to are those named in data-live-events (space-separated), else the
// catalogue below. data-live-stream on the script tag changes the stream's URL. Once the stream
// is subscribed, <html> carries data-live-ready="true" (until the connection drops).
(function () {
  "use strict";

  var CATALOGUE = ["call", "table", "status", "changed"];
  var script = document.currentScript;
  var streamUrl = (script && script.dataset.liveStream) || "/live/stream";
  var source = null;

  function elementsOf(channel) {
    return Array.prototype.filter.call(
      document.querySelectorAll("[data-live-channel]"),
      function (el) { return el.dataset.liveChannel === channel; }
    );
  }

  function swap(el) {
    var url = el.dataset.liveUrl;
    var how = el.dataset.liveSwap || "innerHTML";
    if (window.htmx) {
      window.htmx.ajax("GET", url, { target: el, swap: how });
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        if (how === "outerHTML") el.outerHTML = html; else el.innerHTML = html;
      })
      .catch(function () {});
  }

  function deliver(name, message) {
    var payload;
    try { payload = JSON.parse(message.data); } catch (e) { return; }
    var channel = payload.channel;
    var detail = { channel: channel, event: name, data: payload.data, id: message.lastEventId };
    var targets = elementsOf(channel);
    if (!targets.length) {
      document.dispatchEvent(new CustomEvent("live:" + name, { detail: detail }));
    }
    targets.forEach(function (el) {
      el.dispatchEvent(new CustomEvent("live:" + name, { detail: detail, bubbles: true }));
      if (el.dataset.liveUrl) swap(el);
    });
  }

  function connect() {
    var channels = [];
    var names = [];
    document.querySelectorAll("[data-live-channel]").forEach(function (el) {
      if (channels.indexOf(el.dataset.liveChannel) < 0) channels.push(el.dataset.liveChannel);
      (el.dataset.liveEvents ? el.dataset.liveEvents.split(/\s+/) : CATALOGUE).forEach(
        function (n) { if (n && names.indexOf(n) < 0) names.push(n); }
      );
    });
    if (!channels.length || !window.EventSource) return;
    var query = channels.map(function (c) { return "channel=" + encodeURIComponent(c); });
    source = new EventSource(streamUrl + "?" + query.join("&"));
    names.forEach(function (name) {
      source.addEventListener(name, function (message) { deliver(name, message); });
    });
    // <html data-live-ready="true"> while subscribed: events published from now on arrive.
    source.addEventListener("ready", function () {
      document.documentElement.setAttribute("data-live-ready", "true");
    });
    source.addEventListener("error", function () {
      document.documentElement.removeAttribute("data-live-ready");
    });
  }

  window.addEventListener("pagehide", function () { if (source) source.close(); });
  window.addEventListener("pageshow", function (e) { if (e.persisted) connect(); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
})();
