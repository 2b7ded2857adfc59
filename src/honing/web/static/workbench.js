// The rater workbench: claim, answer with the keyboard, autosave, submit and next.
// Everything goes through the REST API, so other UIs and load tests do the same thing.

import { addSpan, readStop, writeStop } from "./rubric_answers.js";

const root = document.getElementById("workbench");
const api = `/api/workspaces/${root.dataset.workspace}`;
const taskBox = document.getElementById("task");
const notice = document.getElementById("notice");
const announcer = document.getElementById("announce");
const headers = { "content-type": "application/json", "x-honing-csrf": "1" };

let task = null;        // the .task element of the current assignment
let stops = [];         // one fieldset per question (per response for per-response questions)
let current = 0;        // index of the focused stop
let activeMs = 0;       // active time on this item
let lastInput = Date.now();
let saveTimer = null;
let busy = false;

async function call(method, url, body) {
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw Object.assign(new Error(data?.message || response.statusText), { data, status: response.status });
  return data;
}

function say(text, kind = "info", { speak = true } = {}) {
  notice.textContent = text;
  notice.dataset.kind = kind;
  notice.hidden = !text;
  if (text && speak) announce(text);
}

// One polite live region speaks every change a sighted rater sees: the question reached,
// "saved", "submitted", errors. Emptied first so the same words twice are spoken twice.
function announce(text) {
  announcer.textContent = "";
  requestAnimationFrame(() => { announcer.textContent = text; });
}

// --- claiming and showing a task -------------------------------------------------------

async function next(done = "") {
  busy = true;
  say(done, "done", { speak: false });
  taskBox.innerHTML = "";
  task = null;
  try {
    const claimed = await call("POST", `${api}/queues/${root.dataset.queue}/claim`);
    if (!claimed.assignment) {
      say(`${done ? `${done} ` : ""}${claimed.reason || "Nothing to do right now."}`, "done");
      return;
    }
    const page = await fetch(`/w/${root.dataset.workspace}/assignments/${claimed.assignment.assignment_id}/panel`);
    taskBox.innerHTML = await page.text();
    document.getElementById("done").textContent = `${claimed.assignment.submitted_so_far} done`;
    busy = false;  // ready for keys as soon as the task is on screen
    start();
    announce(`${done ? `${done} Next item: ` : ""}${describe(stops[current])}`);
  } catch (error) {
    say(`Could not get the next item: ${error.message}`, "error");
  } finally {
    busy = false;
  }
}

function start() {
  task = taskBox.querySelector(".task");
  stops = [...task.querySelectorAll("fieldset.q")];
  activeMs = Number(task.dataset.activeMs || 0);
  for (const area of task.querySelectorAll("fieldset.q-response_edit textarea")) {
    // Runs before the task's own listener: a rater's keystroke makes the box theirs.
    area.addEventListener("input", () => { area.closest("fieldset").dataset.edited = "1"; });
  }
  restore(JSON.parse(task.dataset.draft || "{}"));
  prefill();
  task.addEventListener("change", changed);
  task.addEventListener("input", changed);
  // Real focus decides the current question, however it got there (Tab, a click, a key).
  task.addEventListener("focusin", (event) => {
    const stop = event.target.closest?.("fieldset.q");
    if (stop) setCurrent(stops.indexOf(stop));
  });
  for (const stop of stops) stop.addEventListener("click", () => setCurrent(stops.indexOf(stop)));
  for (const button of task.querySelectorAll(".use-suggestion")) {
    button.addEventListener("click", () => useSuggestion(button.closest("fieldset")));
  }
  for (const button of task.querySelectorAll("[data-view]")) {
    button.addEventListener("click", () => setView(button.dataset.view));
  }
  for (const button of task.querySelectorAll("button.mark")) {
    button.addEventListener("click", () => markSpan(button.closest("fieldset"), button.dataset.label));
  }
  updateConditions();
  const firstOpen = stops.findIndex((s) => !answered(s));
  focusStop(firstOpen === -1 ? 0 : firstOpen, { speak: false });  // next() says it
}

function questionName(stop) {
  return `“${stop.querySelector(".q-prompt").textContent.trim()}”`
    + (stop.dataset.letter ? ` (response ${stop.dataset.letter})` : "");
}

// --- answers ---------------------------------------------------------------------------

function valueOf(stop) {
  return readStop(stop, task);
}

// --- the ideal-response box ----------------------------------------------------------------
// It starts from the response the rater prefers (the pairwise answer; empty before one and on
// a tie), follows a changed preference until the rater edits it, and is never overwritten
// after that. A box whose text is a response unchanged is no answer, in drafts and submits,
// unless the rater ticks "keep"; the server refuses it otherwise (decision 0014).

function responseText(letter) {
  return task.querySelector(`.response[data-label="${letter}"] .content`)?.textContent ?? "";
}

function preferred() {
  const pairwise = stops.find((s) => s.dataset.type === "pairwise");
  if (!pairwise) return undefined;  // nothing to prefer: the rubric's start_from decides
  const verdict = valueOf(pairwise) || "";
  return verdict.startsWith("A") ? "A" : verdict.startsWith("B") ? "B" : "";
}

function prefill() {
  for (const stop of stops.filter((s) => s.dataset.type === "response_edit" && !s.dataset.edited)) {
    const area = stop.querySelector("textarea");
    if (!area.dataset.startFrom) continue;  // start_from: blank
    const letter = preferred() ?? area.dataset.startFrom;
    area.value = letter ? responseText(letter) : "";
    stop.dataset.prefilledFrom = letter;
  }
}

function answers() {
  const result = {};
  for (const stop of stops) {
    const value = valueOf(stop);
    if (value === undefined) continue;
    const { question, letter } = stop.dataset;
    if (letter) (result[question] ??= {})[letter] = value;
    else result[question] = value;
  }
  return result;
}

function answered(stop) {
  return valueOf(stop) !== undefined;
}

function setValue(stop, value) {
  writeStop(stop, value);
}

function restore(draft) {
  for (const stop of stops) {
    const { question, letter } = stop.dataset;
    const value = letter ? draft[question]?.[letter] : draft[question];
    setValue(stop, value);
  }
}

function changed() {
  lastInput = Date.now();
  prefill();
  updateConditions();
  for (const stop of stops) if (answered(stop)) clearProblem(stop);
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveDraft, 800);
}

async function saveDraft() {
  if (!task) return;
  try {
    await call("PUT", `${api}/assignments/${task.dataset.assignment}/draft`, { answers: answers(), active_ms: activeMs });
    document.getElementById("saved").textContent = `draft saved ${new Date().toLocaleTimeString()}`;
    announce("saved");
  } catch (error) {
    document.getElementById("saved").textContent = `draft not saved: ${error.message}`;
    announce(`draft not saved: ${error.message}`);
  }
}

// required_if: "helpfulness <= 2 or safety == 'unsafe'" (the rubric's tiny grammar).
function holds(condition, given) {
  return condition.split(/\s+or\s+/).some((any) => any.split(/\s+and\s+/).every((part) => {
    const match = part.trim().match(/^([a-z][a-z0-9_]*)\s*(==|!=|<=|>=|<|>)\s*(.+)$/);
    if (!match) return false;
    const [, id, op, raw] = match;
    const wanted = raw.startsWith("'") ? raw.slice(1, -1) : Number(raw);
    const value = given[id];
    const values = value && typeof value === "object" && !Array.isArray(value) ? Object.values(value) : [value];
    return values.some((v) => {
      if (v === undefined) return false;
      if (Array.isArray(v)) return op === "==" ? v.includes(wanted) : op === "!=" ? !v.includes(wanted) : false;
      return { "==": v === wanted, "!=": v !== wanted, "<": v < wanted, "<=": v <= wanted, ">": v > wanted, ">=": v >= wanted }[op];
    });
  }));
}

function updateConditions() {
  const given = answers();
  for (const stop of stops.filter((s) => s.dataset.requiredIf)) {
    stop.classList.toggle("required-now", holds(stop.dataset.requiredIf, given));
  }
}

// --- keyboard ----------------------------------------------------------------------------
// The shortcuts move real DOM focus (so screen readers and :focus-visible follow), and Tab
// stays the browser's own: it reaches every control, Submit last.

function setCurrent(index, speak = true) {
  if (index < 0 || index >= stops.length) return;
  const moved = index !== current || !stops[index].classList.contains("focused");
  current = index;
  stops.forEach((stop, i) => stop.classList.toggle("focused", i === current));
  if (moved && speak) announce(describe(stops[current]));
}

// "question 3 of 7: Severity (optional)", as the live region says it.
function describe(stop) {
  const index = stops.indexOf(stop);
  const status = isRequired(stop) ? "" : " (optional)";
  const done = answered(stop) ? ", answered" : "";
  return `question ${index + 1} of ${stops.length}: ${questionName(stop)}${status}${done}`;
}

// The control a keyboard user lands on in a question: its text box, its chosen option, or
// its first one.
function focusTarget(stop) {
  return stop.querySelector("textarea, input.ranking")
    ?? stop.querySelector("input[type=radio]:checked")
    ?? stop.querySelector("input, button");
}

function focusStop(index, { scroll = true, speak = true } = {}) {
  const target = Math.max(0, Math.min(index, stops.length - 1));
  const stop = stops[target];
  if (!stop) return;
  setCurrent(target, false);
  if (scroll) stop.scrollIntoView({ block: "nearest" });
  focusTarget(stop)?.focus({ preventScroll: !scroll });
  if (speak) announce(describe(stop));
}

function pick(stop, key) {
  const kbd = [...stop.querySelectorAll("label.opt kbd, button.mark kbd")].find((k) => k.textContent.trim() === key);
  if (!kbd) return false;
  if (stop.dataset.type === "span") {
    markSpan(stop, kbd.closest("button").dataset.label);
    return true;
  }
  const input = kbd.closest("label").querySelector("input");
  if (input.type === "checkbox") {
    input.checked = !input.checked;
    stop.dataset.touched = "1";
    input.focus();
  } else input.checked = true;
  changed();
  if (input.type === "radio") focusStop(nextOpen());
  return true;
}

// After an answer: the next question not answered yet, optional ones included (they are
// announced as optional, never passed over in silence); else simply the next one.
function nextOpen() {
  for (let i = current + 1; i < stops.length; i++) if (!answered(stops[i])) return i;
  return Math.min(current + 1, stops.length - 1);
}

function isRequired(stop) {
  return stop.dataset.required === "true" && !stop.dataset.requiredIf || stop.classList.contains("required-now");
}

function useSuggestion(stop) {
  const hint = stop?.querySelector(".suggestion");
  if (!hint) return;
  let value = JSON.parse(hint.dataset.value);
  if (stop.dataset.letter && value && typeof value === "object" && !Array.isArray(value)) value = value[stop.dataset.letter];
  setValue(stop, value);  // the rater confirms it by submitting; it is never sent on its own
  changed();
}

document.addEventListener("keydown", (event) => {
  lastInput = Date.now();
  if (document.querySelector("dialog[open]")) return;
  const inText = event.target.matches?.("textarea, input:not([type=radio]):not([type=checkbox]), select, [contenteditable]");
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") { event.preventDefault(); submit(); return; }
  if (event.altKey) {
    const action = { s: skip, f: flag, e: escalate, v: toggleView, g: toggleGuidelines, k: toggleKeep }[event.key.toLowerCase()];
    if (action) { event.preventDefault(); action(); }
    return;
  }
  if (!task || busy) return;
  if (inText) {
    if (event.key === "Escape" && event.target.closest("fieldset.q")) { event.preventDefault(); focusStop(current + 1); }
    return;  // typing is text, never a shortcut
  }
  // Answer keys act in the question that has focus (or none yet): never behind a focused
  // button or link elsewhere on the page, whose own keys (Enter, Space) stay the browser's.
  const inQuestion = event.target.closest?.("fieldset.q");
  if (!inQuestion && event.target !== document.body) return;
  if (event.key === "Tab") return;
  if (inQuestion && event.target.matches("button") && (event.key === "Enter" || event.key === " ")) return;
  if (event.key === "ArrowDown" || event.key === "Enter") { event.preventDefault(); focusStop(current + 1); return; }
  if (event.key === "ArrowUp") { event.preventDefault(); focusStop(current - 1); return; }
  if (event.ctrlKey || event.metaKey) return;
  const stop = stops[current];
  if (event.key === "u" && stop?.querySelector(".suggestion")) { event.preventDefault(); useSuggestion(stop); return; }
  if (stop && event.key.length === 1 && event.key !== " " && pick(stop, event.key)) event.preventDefault();
});

// --- actions -----------------------------------------------------------------------------

function clearProblem(stop) {
  stop.classList.remove("invalid");
  const line = stop.querySelector(".problem");
  line.hidden = true;
}

function showProblems(problems) {
  let first = -1;
  for (const problem of problems) {
    const [, question, letter] = (problem.field || "").split(".");
    const index = stops.findIndex((s) => s.dataset.question === question && (!letter || !s.dataset.letter || s.dataset.letter === letter));
    if (index === -1) continue;
    markProblem(stops[index], problem.message);
    if (first === -1 || index < first) first = index;
  }
  if (first !== -1) focusStop(first, { speak: false });
  return first === -1 ? undefined : stops[first];
}

function markProblem(stop, message) {
  stop.classList.add("invalid");
  const line = stop.querySelector(".problem");
  line.textContent = message;
  line.hidden = false;
}

function names(list) {
  return list.map(questionName).join("; ");
}

// Required questions left empty block the submit, focus moves to the first of them and the
// message names them all; optional ones left empty do not block, and are named once sent.
async function submit() {
  if (!task || busy) return;
  updateConditions();
  const missing = stops.filter((s) => isRequired(s) && !answered(s));
  if (missing.length) {
    for (const stop of missing) markProblem(stop, "This question is required.");
    focusStop(stops.indexOf(missing[0]), { speak: false });
    const count = missing.length === 1 ? "1 required question is" : `${missing.length} required questions are`;
    say(`Not submitted: ${count} unanswered: ${names(missing)}. Focus is on the first.`, "error");
    return;
  }
  const skipped = stops.filter((s) => !isRequired(s) && !answered(s));
  busy = true;
  try {
    clearTimeout(saveTimer);
    await call("POST", `${api}/assignments/${task.dataset.assignment}/submit`, { answers: answers(), active_ms: activeMs });
    busy = false;
    await next(skipped.length ? `Submitted. Optional questions left empty: ${names(skipped)}.` : "Submitted.");
  } catch (error) {
    busy = false;
    const stop = error.data?.problems ? showProblems(error.data.problems) : undefined;
    const where = stop ? ` First: ${questionName(stop)}: ${stop.querySelector(".problem").textContent}` : "";
    say(`Not submitted: ${error.message}.${where}`, "error");
  }
}

function ask(id) {
  const dialog = document.getElementById(id);
  const form = dialog.querySelector("form");
  form.reset();
  dialog.showModal();
  form.querySelector("input, textarea, select")?.focus();  // do not rely on the browser
  return new Promise((resolve) => {
    // stopPropagation: once the dialog is closed, the page's own Ctrl+Enter (submit) must not see this key too.
    const ctrlEnter = (event) => { if ((event.ctrlKey || event.metaKey) && event.key === "Enter") { event.preventDefault(); event.stopPropagation(); if (form.reportValidity()) dialog.close("ok"); } };
    dialog.addEventListener("keydown", ctrlEnter);
    dialog.addEventListener("close", () => {
      dialog.removeEventListener("keydown", ctrlEnter);
      resolve(dialog.returnValue === "ok" ? Object.fromEntries(new FormData(form)) : null);
    }, { once: true });
  });
}

async function skip() {
  if (!task) return;
  const form = await ask("skip-dialog");
  if (!form) return;
  try { await call("POST", `${api}/assignments/${task.dataset.assignment}/skip`, { reason: form.reason }); await next(); }
  catch (error) { say(`Not skipped: ${error.message}`, "error"); }
}

async function flag() {
  if (!task) return;
  const form = await ask("flag-dialog");
  if (!form) return;
  try { await call("POST", `${api}/assignments/${task.dataset.assignment}/flag`, { reason: form.reason }); say("Flagged for the lead."); }
  catch (error) { say(`Not flagged: ${error.message}`, "error"); }
}

async function escalate() {
  if (!task) return;
  const form = await ask("escalate-dialog");
  if (!form) return;
  const body = Object.fromEntries(Object.entries(form).filter(([, v]) => v !== ""));
  if (body.confidence !== undefined) body.confidence = Number(body.confidence);
  try {
    await call("POST", `${api}/assignments/${task.dataset.assignment}/escalate`, body);
    say("Escalation sent to the lead. Finish the item as usual.");
  } catch (error) { say(`Escalation not sent: ${error.data?.problems?.[0]?.message || error.message}`, "error"); }
}

function setView(view) {
  const box = task?.querySelector(".responses");
  if (!box) return;
  box.classList.toggle("single", view === "single");
}

function toggleView() {
  const box = task?.querySelector(".responses");
  if (box) setView(box.classList.contains("single") ? "side" : "single");
}

function toggleGuidelines() {
  const details = task?.querySelector("details.guidelines");
  if (details) details.open = !details.open;
}

// Alt+K: keep the ideal-response box's text (a response unchanged) as the answer, from the
// keyboard like every other answer; the current question's box, else the first one.
function toggleKeep() {
  const here = stops[current]?.dataset.type === "response_edit" ? stops[current] : undefined;
  const box = (here ?? stops.find((s) => s.dataset.type === "response_edit"))?.querySelector("input.keep");
  if (!box) return;
  box.checked = !box.checked;
  changed();
}

// --- spans -------------------------------------------------------------------------------

function markSpan(stop, label) {
  const problem = addSpan(stop, label);
  if (problem) { say(problem, "error"); return; }
  changed();
}

// --- active time -------------------------------------------------------------------------

setInterval(() => {
  if (!task || document.hidden || Date.now() - lastInput > 60_000) return;
  activeMs += 1000;
  const seconds = Math.floor(activeMs / 1000);
  document.getElementById("timer").textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}, 1000);
for (const type of ["mousemove", "scroll", "click"]) document.addEventListener(type, () => { lastInput = Date.now(); }, { passive: true });

document.getElementById("submit").addEventListener("click", submit);
taskBox.addEventListener("click", (event) => { if (event.target.closest("button.submit-answers")) submit(); });
// Answers are sent by the keys and buttons above, never by the form itself (Enter in a box).
document.addEventListener("submit", (event) => { if (event.target.id === "answers") event.preventDefault(); });
document.getElementById("skip").addEventListener("click", skip);
document.getElementById("flag").addEventListener("click", flag);
document.getElementById("escalate").addEventListener("click", escalate);
next();
