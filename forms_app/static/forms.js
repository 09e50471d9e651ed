// Progressive enhancement only: every page works without this file.
// The receipt's print button exists only when script runs (it is `hidden` in the HTML).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
// After a failed submit, move focus to the error summary so screen readers read it first.
var summary = document.getElementById("error-summary");
if (summary) { summary.focus(); }
