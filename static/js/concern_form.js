// Progressive enhancement only: the form works without this file.
// Show the "call 112" notice the moment acute urgency is chosen.
(function () {
  const notice = document.getElementById("acute-selected");
  if (!notice) return;
  document.querySelectorAll('input[name="urgency"]').forEach(function (input) {
    input.addEventListener("change", function () {
      notice.hidden = !(input.checked && input.value === "acute");
    });
  });
})();
