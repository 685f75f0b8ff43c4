// Global search, keyboard first: from the search box, ArrowDown moves into the results; ArrowUp/ArrowDown
// (and Home/End) move between them, Enter opens the focused one (it is a plain link), Escape closes the
// popup and returns to the box. The same keys work on the search page's results.
// "/" to focus the box and Escape inside the box are handled by app.js.
(() => {
  const popupInput = () => document.getElementById("global-search-input");
  const popup = () => document.getElementById("global-search-results");

  // The results an element belongs to (a search box, or a link inside the results), and the box they belong to.
  function resultsFor(element) {
    if (!(element instanceof HTMLElement)) return null;
    if (element.id === "global-search-input") return { box: element, results: popup(), isPopup: true };
    if (element.id === "search-page-input") return { box: element, results: document.getElementById("search-page-results"), isPopup: false };
    if (popup() && popup().contains(element)) return { box: popupInput(), results: popup(), isPopup: true };
    const page = document.getElementById("search-page-results");
    if (page && page.contains(element)) return { box: document.getElementById("search-page-input"), results: page, isPopup: false };
    return null;
  }

  function close() {
    const results = popup();
    if (results) results.replaceChildren();
  }

  document.addEventListener("keydown", (event) => {
    const found = resultsFor(event.target);
    if (!found || !found.results || event.altKey || event.ctrlKey || event.metaKey) return;
    const links = Array.from(found.results.querySelectorAll("a[data-search-result]"));
    const onBox = event.target === found.box;
    const index = links.indexOf(event.target);
    let next = null;
    if (event.key === "ArrowDown") {
      next = onBox ? links[0] : links[Math.min(index + 1, links.length - 1)];
    } else if (event.key === "ArrowUp" && !onBox) {
      next = index <= 0 ? found.box : links[index - 1];
    } else if (event.key === "Home" && !onBox) {
      next = links[0];
    } else if (event.key === "End" && !onBox) {
      next = links[links.length - 1];
    } else if (event.key === "Escape" && !onBox) {
      if (found.isPopup) close();
      next = found.box;
    }
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });

  // The popup closes when the pointer goes down or the keyboard focus moves outside the search form.
  document.addEventListener("pointerdown", (event) => {
    const form = popupInput() && popupInput().closest("form");
    if (form && !form.contains(event.target)) close();
  });
  document.addEventListener("focusout", (event) => {
    const form = popupInput() && popupInput().closest("form");
    if (form && form.contains(event.target) && event.relatedTarget && !form.contains(event.relatedTarget)) close();
  });
})();
