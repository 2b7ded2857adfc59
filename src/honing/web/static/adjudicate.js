// Set a final answer for one question of a disagreed item.
const form = document.getElementById("adjudicate");
const problem = form.querySelector(".problem");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = Object.fromEntries(new FormData(form));
  let answer;
  try { answer = JSON.parse(data.answer); } catch { answer = data.answer; }
  const response = await fetch(form.dataset.url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-honing-csrf": "1" },
    body: JSON.stringify({ question: data.question, answer, note: data.note }),
  });
  if (response.ok) { location.reload(); return; }
  const body = await response.json();
  problem.textContent = body.problems?.map((p) => `${p.field}: ${p.message}`).join("; ") || body.message;
  problem.hidden = false;
});
