// The admin console's forms: each `form.api` sends its fields as JSON to the REST API
// (data-method, data-url; data-url-field names a field that ends the URL instead of going
// in the body). Empty fields are left out, so the API's defaults apply, unless marked
// data-send-empty (an empty cohort clears it). A form with data-reveal shows that field
// of the answer (a new secret) once instead of reloading the page.
const problem = document.querySelector(".problem");

function bodyOf(form) {
  const body = {};
  for (const field of form.elements) {
    if (!field.name || field.name === form.dataset.urlField) continue;
    if (field.value === "" && !("sendEmpty" in field.dataset)) continue;
    body[field.name] = "number" in field.dataset ? Number(field.value) : field.value;
  }
  return body;
}

function urlOf(form) {
  const field = form.dataset.urlField;
  return field ? form.dataset.url + encodeURIComponent(form.elements[field].value.trim()) : form.dataset.url;
}

function explain(body, status) {
  const problems = (body.problems || []).map((p) => (p.field ? `${p.field}: ${p.message}` : p.message));
  const message = problems.length ? `${body.message}: ${problems.join("; ")}` : body.message;
  return (message || `the server answered ${status}`) + (body.hint ? ` (${body.hint})` : "");
}

async function send(form) {
  problem.hidden = true;
  const method = form.dataset.method;
  const response = await fetch(urlOf(form), {
    method,
    headers: { "content-type": "application/json", "x-honing-csrf": "1" },
    body: method === "DELETE" ? undefined : JSON.stringify(bodyOf(form)),
  });
  const body = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) {
    problem.textContent = explain(body, response.status);
    problem.hidden = false;
    return;
  }
  if (form.dataset.reveal) {
    const box = document.querySelector(".secret");
    box.querySelector(".who").textContent = body.username || body.name;
    box.querySelector(".value").textContent = body[form.dataset.reveal];
    box.hidden = false;
    form.reset();
    return;
  }
  location.reload();
}

for (const form of document.querySelectorAll("form.api")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(form);
  });
}
