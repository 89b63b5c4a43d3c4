// Coupon scanning with the camera (the scanner page, the member checkout): a button with
// data-scan-camera and data-input="<id of the code input>" opens the camera in the form's
// [data-scan-video] element, decodes the QR with jsQR, puts the code in the input and submits
// the form. Listeners are delegated, so forms swapped in by HTMX keep working. A form with
// data-once is sent once (its buttons are disabled on submit; the server also dedupes).
(function () {
  "use strict";

  var streams = new WeakMap();

  function parts(button) {
    var input = document.getElementById(button.dataset.input);
    var form = input.form;
    return {
      input: input,
      form: form,
      video: form.querySelector("[data-scan-video]"),
      failure: form.querySelector("[data-scan-camera-error]"),
    };
  }

  function stop(button) {
    var stream = streams.get(button);
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    streams.delete(button);
    parts(button).video.hidden = true;
  }

  function watch(button) {
    var p = parts(button);
    var canvas = document.createElement("canvas");

    function tick() {
      if (!streams.has(button) || !document.body.contains(button)) return;
      var video = p.video;
      if (video.readyState === video.HAVE_ENOUGH_DATA && window.jsQR) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        var ctx = canvas.getContext("2d", { willReadFrequently: true });
        ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
        var found = window.jsQR(image.data, image.width, image.height);
        if (found && found.data) {
          p.input.value = found.data.trim();
          p.input.dispatchEvent(new Event("input", { bubbles: true }));
          stop(button);
          if (p.form.requestSubmit) p.form.requestSubmit(); else p.form.submit();
          return;
        }
      }
      window.requestAnimationFrame(tick);
    }
    window.requestAnimationFrame(tick);
  }

  function toggle(button) {
    if (streams.has(button)) { stop(button); return; }
    var p = parts(button);
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      p.failure.hidden = false;
      return;
    }
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        streams.set(button, stream);
        p.failure.hidden = true;
        p.video.srcObject = stream;
        p.video.hidden = false;
        return p.video.play();
      })
      .then(function () { watch(button); })
      .catch(function () { stop(button); p.failure.hidden = false; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-scan-camera]");
    if (button) toggle(button);
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-once]")) {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }
  });
})();
