// The reviewer's desk: accept (a) or return with a reason (r), then the next sampled label.
const form = document.getElementById("verdict");
const reason = form.querySelector("textarea");
const problem = form.querySelector(".problem");

async function decide(verdict) {
  if (verdict === "return" && !reason.value.trim()) {
    problem.textContent = "Write the reason the rater will see, then press r again.";
    problem.hidden = false;
    reason.focus();
    return;
  }
  const response = await fetch(form.dataset.url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-honing-csrf": "1" },
    body: JSON.stringify({ verdict, reason: reason.value.trim() || null }),
  });
  if (response.ok) { location.reload(); return; }
  problem.textContent = (await response.json()).message;
  problem.hidden = false;
}

for (const button of form.querySelectorAll("[data-verdict]")) {
  button.addEventListener("click", () => decide(button.dataset.verdict));
}
document.addEventListener("keydown", (event) => {
  if (event.target === reason) {
    if (event.key === "Escape") reason.blur();
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") decide("return");
    return;
  }
  if (event.key === "a") decide("accept");
  if (event.key === "r") decide("return");
});
