// The "new record" pages' pickers. In a picker's search box: Enter searches at once instead of creating
// the record (htmx lists the matches), ↓ moves to the first match (Space ticks it, arrows move on), and
// Escape clears the box and its matches. Without JavaScript, Enter sends the form back with the matches
// and creates nothing: the server sees a search with nothing chosen.
document.addEventListener("keydown", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.hasAttribute("data-picker-search")) return;
  const results = document.getElementById(box.getAttribute("aria-controls") || "");
  if (event.key === "ArrowDown" && results) {
    const first = results.querySelector("input");
    if (first) {
      event.preventDefault();
      first.focus();
    }
  } else if (!window.htmx) {
    return;
  } else if (event.key === "Enter") {
    event.preventDefault();
    window.htmx.trigger(box, "search");
  } else if (event.key === "Escape" && box.value) {
    event.preventDefault();
    box.value = "";
    window.htmx.trigger(box, "search");
  }
});
