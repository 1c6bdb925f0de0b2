// Check-in: where the browser has BarcodeDetector, "Scan with the camera" reads a QR code into the code field and
// submits the form. Without it (or without JavaScript) staff type the code.
(function () {
  "use strict";

  function setUp() {
    var button = document.getElementById("scan-code");
    var video = document.getElementById("scan-video");
    var field = document.getElementById("code");
    if (!button || button.dataset.ready || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
    button.dataset.ready = "1";
    button.hidden = false;
    button.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        function stop() { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; }
        function look() {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              stop();
              field.value = codes[0].rawValue;
              field.form.requestSubmit();
            } else {
              window.requestAnimationFrame(look);
            }
          }).catch(stop);
        }
        look();
      }).catch(function () { field.focus(); });
    });
  }

  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("htmx:afterSettle", setUp);
})();
