// The web lists (accord/core/listing.py): select rows for bulk actions, show the inputs of the chosen
// action, and let htmx show a 400 answer (filters to correct) in the results region.
(() => {
  const rowBoxes = () => document.querySelectorAll('input[name="ids"][form="bulk-form"]');

  function announceSelection() {
    const count = Array.from(rowBoxes()).filter((box) => box.checked).length;
    const status = document.getElementById("selection-count");
    if (status) status.textContent = count ? `(${count} selected)` : "";
    const all = document.querySelector("[data-select-all]");
    if (all) {
      const total = rowBoxes().length;
      all.checked = total > 0 && count === total;
      all.indeterminate = count > 0 && count < total;
    }
  }

  function showActionInputs() {
    const action = document.getElementById("bulk-action");
    if (!action) return;
    document.querySelectorAll("[data-for-action]").forEach((block) => {
      block.hidden = block.dataset.forAction !== action.value;
    });
  }

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLInputElement || target instanceof HTMLSelectElement)) return;
    if (target.matches("[data-select-all]")) {
      rowBoxes().forEach((box) => { box.checked = target.checked; });
      announceSelection();
    } else if (target.matches('input[name="ids"]')) {
      announceSelection();
    } else if (target.id === "bulk-action") {
      showActionInputs();
    }
  });

  // Filters the server refuses come back as 400 with the messages to show: swap them in like a 200.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const detail = event.detail;
    if (detail.xhr.status === 400 && detail.target && detail.target.id === "list-results") {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
  document.addEventListener("htmx:beforeRequest", (event) => {
    const results = document.getElementById("list-results");
    if (results && event.detail.target === results) results.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    const results = document.getElementById("list-results");
    if (results && event.detail.target === results) {
      results.setAttribute("aria-busy", "false");
      announceSelection();
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    showActionInputs();
    announceSelection();
  });
})();
