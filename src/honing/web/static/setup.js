// The lead's set-up forms: post with the CSRF header a cross-site form cannot send, then show
// the server's answer (a link to what was made, or the problems table) below the form, and
// mark the fields the problems name.
const result = document.getElementById("setup-result");

async function send(form) {
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  result.textContent = "Working…";
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "x-honing-csrf": "1", accept: "text/html" },
    });
    const answer = new DOMParser().parseFromString(await response.text(), "text/html");
    // A refusal before the work (a role, a missing queue) comes as the error page.
    const shown = answer.querySelector(".setup-answer") || answer.querySelector("main") || answer.body;
    result.replaceChildren(document.importNode(shown, true));
    result.dataset.status = String(response.status);
    const named = new Set((shown.dataset.fields || "").split(" ").filter(Boolean));
    for (const input of form.querySelectorAll("[name]")) {
      if (named.has(input.name)) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
    const fieldset = form.querySelector("#show_metadata");
    if (fieldset) fieldset.classList.toggle("invalid", named.has("show_metadata"));
  } catch (error) {
    result.textContent = `The request did not reach the server: ${error.message}`;
  } finally {
    button.disabled = false;
  }
}

for (const form of document.querySelectorAll("form[data-setup]")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(form);
  });
}
