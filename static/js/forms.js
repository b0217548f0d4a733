// Progressive enhancement: a form that comes back with errors moves focus to
// its error summary, so a screen reader announces what to fix first.
(function () {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();

// A long list of checkboxes gets a filter box: type part of a name to narrow it.
(function () {
  document.querySelectorAll('[id^="div_id_"]').forEach(function (wrapper) {
    const first = wrapper.querySelector("input[data-filter-label]");
    if (!first) return;
    const box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-2";
    box.setAttribute("aria-label", first.dataset.filterLabel);
    box.placeholder = first.dataset.filterLabel;
    const firstItem = wrapper.querySelector(".form-check");
    firstItem.parentElement.insertBefore(box, firstItem);
    box.addEventListener("input", function () {
      const wanted = box.value.toLowerCase();
      wrapper.querySelectorAll(".form-check").forEach(function (item) {
        item.hidden = wanted !== "" && !item.textContent.toLowerCase().includes(wanted);
      });
    });
  });
})();

// On a phone the inbox filters start folded, unless a filter is set.
(function () {
  const panel = document.querySelector("details.filter-panel");
  if (!panel || !window.matchMedia("(max-width: 767.98px)").matches) return;
  const query = new URLSearchParams(window.location.search);
  query.delete("sort");
  query.delete("page");
  if ([...query.values()].every(function (value) { return value === ""; })) panel.open = false;
})();
