// Set the final answer to one question of a disagreed item, with the rubric's own widgets
// (the rater workbench's), started from the raters' majority answer.
import { addSpan, readStop, writeStop } from "./rubric_answers.js";

const scope = document.querySelector(".conversation");

function answerOf(form) {
  const stops = [...form.querySelectorAll("fieldset.q")];
  if (form.dataset.perResponse !== "true") return readStop(stops[0], scope);
  const answer = {};
  for (const stop of stops) {
    const value = readStop(stop, scope);
    if (value !== undefined) answer[stop.dataset.letter] = value;
  }
  return Object.keys(answer).length ? answer : undefined;
}

function showProblem(form, text) {
  const line = form.querySelector(":scope > .problem");
  line.textContent = text;
  line.hidden = !text;
}

for (const form of document.querySelectorAll("form.settle")) {
  const majority = JSON.parse(form.dataset.majority);
  for (const stop of form.querySelectorAll("fieldset.q")) {
    writeStop(stop, stop.dataset.letter ? majority?.[stop.dataset.letter] : majority);
    // The workbench drives these with its own keys; here they are ordinary form controls.
    for (const control of stop.querySelectorAll("[tabindex='-1']")) control.removeAttribute("tabindex");
    stop.addEventListener("change", () => { stop.dataset.touched = "1"; });
    for (const button of stop.querySelectorAll("button.mark")) {
      button.addEventListener("click", () => showProblem(form, addSpan(stop, button.dataset.label)));
    }
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = answerOf(form);
    if (answer === undefined) { showProblem(form, "Give an answer first."); return; }
    const response = await fetch(form.dataset.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-honing-csrf": "1" },
      body: JSON.stringify({ question: form.dataset.question, answer, note: form.elements.note.value }),
    });
    if (response.ok) { location.reload(); return; }
    const body = await response.json();
    showProblem(form, body.problems?.map((p) => `${p.field}: ${p.message}`).join("; ") || body.message);
  });
}

// Open on the question the lead came for (from the disagreements list or the dashboard).
const focused = document.querySelector("details.settle-box.focused");
if (focused) {
  focused.scrollIntoView({ block: "start" });
  focused.querySelector("input, textarea")?.focus({ preventScroll: true });
}
