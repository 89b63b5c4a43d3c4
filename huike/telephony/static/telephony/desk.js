// The reservation desk (R2): when live.js dispatches "live:call" on the desk channel's element,
// load that call's pop into #desk-pop and refresh the recent calls.
(function () {
  "use strict";

  function callId(event) {
    var detail = event.detail || {};
    var data = detail.data && typeof detail.data === "object" ? detail.data : detail;
    return data.call;
  }

  function onCall(event) {
    var desk = event.currentTarget;
    var id = callId(event);
    if (!id || !window.htmx) {
      return;
    }
    var popUrl = desk.dataset.popUrl.replace("/0/", "/" + encodeURIComponent(id) + "/");
    window.htmx.ajax("GET", popUrl, { target: "#desk-pop", swap: "innerHTML" });
    window.htmx.ajax("GET", window.location.pathname + window.location.search, {
      target: "#desk-recent",
      swap: "outerHTML",
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-pop-url][data-live-channel]").forEach(function (desk) {
      desk.addEventListener("live:call", onCall);
    });
  });
})();
