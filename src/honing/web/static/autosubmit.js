// A choice marked data-autosubmit submits its form at once (the button is for pages without scripts).
for (const field of document.querySelectorAll("[data-autosubmit]")) {
  field.addEventListener("change", () => field.form.submit());
}
