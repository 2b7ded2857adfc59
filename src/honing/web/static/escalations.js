// Assign, resolve and reopen escalations through the API; the page reloads with the result.
for (const form of document.querySelectorAll("form.esc-action")) {
  const problem = form.querySelector(".problem");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    // An empty choice of assignee takes the escalation back (it is open again).
    if ("assignee" in data && data.assignee === "") data.assignee = null;
    const response = await fetch(form.dataset.url, {
      method: form.dataset.method,
      headers: { "content-type": "application/json", "x-honing-csrf": "1" },
      body: JSON.stringify(data),
    });
    if (response.ok) { location.reload(); return; }
    const body = await response.json();
    problem.textContent = body.problems?.map((p) => `${p.field}: ${p.message}`).join("; ") || body.message;
    problem.hidden = false;
  });
}
