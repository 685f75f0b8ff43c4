// The customer 360 pages: keyboard and htmx details that the shared app.js does not cover.
(() => {
  // A validation error (422) and a version conflict (409) come back as the form to show, not as a failure.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if (status === 422 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Any other refusal (403, 400, 404) is said in the page's status region instead of failing silently.
  document.addEventListener("htmx:responseError", (event) => {
    const region = document.getElementById("c360-status");
    if (!region) return;
    const status = event.detail.xhr.status;
    const reasons = { 400: "This request could not be read.", 403: "You may not do this.", 404: "This record or field no longer exists for you." };
    const parsed = new DOMParser().parseFromString(event.detail.xhr.responseText || "", "text/html");
    const detail = parsed.querySelector(".c360-refused p");
    region.textContent = (detail && detail.textContent.trim()) || reasons[status] || `The server answered ${status}; try again.`;
  });

  // Escape closes an inline editor (keeping the saved value) or a quick-action form.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !(event.target instanceof HTMLElement)) return;
    const field = event.target.closest(".c360-field.is-editing");
    const cancel = field && field.querySelector("[data-inline-cancel]");
    if (cancel) {
      event.preventDefault();
      cancel.click();
      return;
    }
    const actionForm = event.target.closest(".c360-action-form");
    if (actionForm) {
      event.preventDefault();
      closeActionForm(actionForm);
    }
  });

  document.addEventListener("click", (event) => {
    const cancel = event.target instanceof Element && event.target.closest("[data-action-cancel]");
    if (cancel && window.htmx) {
      event.preventDefault();
      closeActionForm(cancel.closest(".c360-action-form"));
    }
  });

  function closeActionForm(form) {
    const panel = form && form.parentElement;
    if (!panel) return;
    panel.replaceChildren();
    const first = document.querySelector(".c360-action-buttons a");
    if (first) first.focus();
  }

  // After an editor closes (saved or cancelled), focus returns to the value it edited.
  document.addEventListener("htmx:afterSwap", (event) => {
    const swapped = event.target;
    if (swapped instanceof HTMLElement && swapped.classList.contains("c360-field") && !swapped.classList.contains("is-editing")) {
      const value = swapped.querySelector(".c360-value");
      if (value) value.focus();
    }
  });
})();
