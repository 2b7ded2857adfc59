// Reading and writing one question's widgets (a "stop" of templates/_rubric.html), shared by
// the rater workbench and the lead's adjudication page so both send the same answer shapes.
// `scope` is the element holding the item's responses (`.response .content`).

export function readStop(stop, scope) {
  const type = stop.dataset.type;
  if (type === "multi_label") {
    const picked = [...stop.querySelectorAll("input:checked")].map((i) => i.value);
    return picked.length || stop.dataset.touched ? picked : undefined;
  }
  if (type === "response_edit") return editValue(stop, scope);
  if (type === "text" || type === "ranking") {
    const field = stop.querySelector("textarea, input");
    if (type === "ranking") return field.value.trim() ? field.value.toUpperCase().replace(/[^A-H]/g, "").split("") : undefined;
    return field.value.trim() ? field.value : undefined;
  }
  if (type === "span") {
    const spans = JSON.parse(stop.dataset.spans || "[]");
    return spans.length ? spans : undefined;
  }
  const checked = stop.querySelector("input:checked");
  if (!checked) return undefined;
  return checked.dataset.kind === "int" ? Number(checked.value) : checked.value;
}

// A box whose text is a response unchanged is no answer unless "keep" is ticked (decision 0014).
function editValue(stop, scope) {
  const text = stop.querySelector("textarea").value;
  if (!text.trim()) return undefined;
  const copied = [...scope.querySelectorAll(".response .content")].some((c) => c.textContent.trim() === text.trim());
  const keep = stop.querySelector("input.keep")?.checked;
  if (copied && !keep) return undefined;
  const value = { text, start_from: stop.dataset.prefilledFrom || "blank" };
  return copied ? { ...value, accepted_as_is: true } : value;
}

export function writeStop(stop, value) {
  const type = stop.dataset.type;
  if (value === undefined || value === null) return;
  if (type === "multi_label") {
    for (const box of stop.querySelectorAll("input")) box.checked = value.includes(box.value);
    stop.dataset.touched = "1";
  } else if (type === "response_edit") {
    stop.querySelector("textarea").value = typeof value === "object" ? value.text : value;
    stop.querySelector("input.keep").checked = Boolean(value.accepted_as_is);
    stop.dataset.prefilledFrom = value.start_from || "";
    stop.dataset.edited = "1";  // someone's own answer (a draft, a suggestion, the majority)
  } else if (type === "text") {
    stop.querySelector("textarea").value = value;
  } else if (type === "ranking") {
    stop.querySelector("input").value = value.join("");
  } else if (type === "span") {
    stop.dataset.spans = JSON.stringify(value);
    renderSpans(stop);
  } else {
    for (const input of stop.querySelectorAll("input")) input.checked = String(input.value) === String(value);
  }
}

// Marks the selected text of one response or message with `label`; returns what is wrong, or "".
export function addSpan(stop, label) {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed) return "Select text in a response first.";
  const target = selection.anchorNode?.parentElement?.closest("[data-target]");
  if (!target || !target.contains(selection.focusNode)) return "Select text inside one response.";
  const range = selection.getRangeAt(0);
  const before = document.createRange();
  before.setStart(target, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const start = before.toString().length;
  const spans = JSON.parse(stop.dataset.spans || "[]");
  spans.push({ target: target.dataset.target, start, end: start + range.toString().length, label });
  stop.dataset.spans = JSON.stringify(spans);
  renderSpans(stop);
  return "";
}

export function renderSpans(stop) {
  const list = stop.querySelector("ul.spans");
  list.innerHTML = "";
  for (const span of JSON.parse(stop.dataset.spans || "[]")) {
    const item = document.createElement("li");
    item.textContent = `${span.label}: ${span.target} [${span.start}, ${span.end})`;
    list.append(item);
  }
}
