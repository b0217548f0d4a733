// Progressive enhancement: the contact list shows only people of the chosen
// organisation. The server checks the pair whatever the browser sends.
(function () {
  const organisation = document.querySelector('select[name="receiving_organisation"]');
  const contact = document.querySelector('select[name="receiving_contact"]');
  if (!organisation || !contact) return;
  function follow() {
    contact.querySelectorAll("option[data-organisation]").forEach(function (option) {
      const mine = option.dataset.organisation === organisation.value;
      option.hidden = !mine;
      option.disabled = !mine;
      if (!mine && option.selected) contact.value = "";
    });
  }
  organisation.addEventListener("change", follow);
  follow();
})();
