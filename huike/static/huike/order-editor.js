/* The line editor of an order (manual entry, correction): an Alpine component.
   x-data="orderEditor({lines: [...], payments: [...]})"; the active dishes with their prices
   come from the json_script element #order-dishes. Loaded before Alpine (block page_scripts). */
window.orderEditor = function orderEditor(initial) {
  "use strict";
  return {
    dishes: JSON.parse(document.getElementById("order-dishes").textContent),
    lines: initial.lines,
    payments: initial.payments,
    fill(line) {
      const dish = this.dishes.find((d) => String(d.id) === String(line.dish));
      if (dish) {
        line.price = dish.prices[line.tier];
      }
    },
    subtotal() {
      const cents = this.lines.reduce(
        (sum, l) => sum + Math.round((parseFloat(l.qty) || 0) * (parseFloat(l.price) || 0) * 100),
        0,
      );
      return (cents / 100).toFixed(2);
    },
  };
};
