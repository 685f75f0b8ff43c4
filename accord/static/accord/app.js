// Keyboard: "/" focuses the global search from anywhere but a text field; Escape leaves it.
document.addEventListener("keydown", (event) => {
  const target = event.target;
  const typing = target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  const search = document.getElementById("global-search-input");
  if (event.key === "/" && !typing && search) {
    event.preventDefault();
    search.focus();
    search.select();
  } else if (event.key === "Escape" && target === search) {
    search.value = "";
    document.getElementById("global-search-results").replaceChildren();
    search.blur();
  }
});
