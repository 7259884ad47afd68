// Progressive enhancement only: every page works without this file.
// - forms with data-confirm ask before they are sent (revoke, decommission, rotate);
// - selects in filter forms (class="autosubmit") send the form when changed.
document.addEventListener('submit', (e) => {
  const form = e.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
});
document.addEventListener('change', (e) => {
  const el = e.target;
  if (el instanceof HTMLSelectElement && el.form && el.form.classList.contains('autosubmit')) el.form.requestSubmit();
});
