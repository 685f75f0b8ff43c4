// The "new record" pages. Enter in a picker's search box searches at once instead of creating the record
// (htmx lists the matches); Escape there clears the box and its matches. Without JavaScript, Enter sends
// the form back with the matches and creates nothing (the server sees a search with nothing chosen).
document.addEventListener("keydown", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.hasAttribute("data-picker-search") || !window.htmx) return;
  if (event.key === "Enter") {
    event.preventDefault();
    window.htmx.trigger(box, "search");
  } else if (event.key === "Escape" && box.value) {
    event.preventDefault();
    box.value = "";
    window.htmx.trigger(box, "search");
  }
});
