// The table's phone menu (R6): +/- change a dish's quantity, the bar shows the cart's total and
// count (for the guest only: the server prices the order itself), and the form is sent once.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  ready(function () {
    var form = document.getElementById("table-order-form");
    if (!form) return;
    var max = 50;

    function quantityOf(input) {
      var n = parseInt(input.value, 10);
      return isNaN(n) || n < 0 ? 0 : n;
    }

    function refresh() {
      var total = 0;
      var count = 0;
      form.querySelectorAll(".dish").forEach(function (row) {
        var input = row.querySelector("input[type=number]");
        var n = quantityOf(input);
        row.classList.toggle("chosen", n > 0);
        total += n * parseFloat(row.dataset.price || "0");
        count += n;
      });
      form.querySelector("[data-testid=cart-total]").textContent = "¥" + total.toFixed(2);
      form.querySelector("[data-testid=cart-count]").textContent = String(count);
    }

    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-step]");
      if (!button) return;
      var input = button.parentNode.querySelector("input[type=number]");
      max = parseInt(input.max, 10) || max;
      var n = quantityOf(input) + parseInt(button.dataset.step, 10);
      input.value = String(Math.max(0, Math.min(max, n)));
      refresh();
    });
    form.addEventListener("input", refresh);
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault(); // a double tap: the first request is on its way
        return;
      }
      form.dataset.sent = "1";
      form.querySelector("[type=submit]").setAttribute("aria-busy", "true");
    });
    refresh();
  });
})();
