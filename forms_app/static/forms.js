// Progressive enhancement only: every page works without this file.
// The receipt's print button exists only when script runs (it is `hidden` in the HTML).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
// After a failed submit, move focus to the error summary so screen readers read it first.
var summary = document.getElementById("error-summary");
if (summary) { summary.focus(); }
// Staff queue on a phone: the filters fold behind their summary so the first screen shows cases
// (without script they stay open, which works too).
document.querySelectorAll("details[data-fold-narrow]").forEach(function (box) {
  if (window.matchMedia("(max-width: 40rem)").matches) { box.open = false; }
});
