// Progressive enhancement: a form that comes back with errors moves focus to
// its error summary, so a screen reader announces what to fix first.
(function () {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
