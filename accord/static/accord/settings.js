// Settings pages: copy a secret, confirm a revocation, keep the role grid consistent, and reorder
// pipeline stages by drag and drop (the move up / move down buttons are the keyboard's way).
(() => {
  "use strict";

  // Copy buttons are shown only where the clipboard is available.
  const showCopyButtons = () => {
    if (!navigator.clipboard) return;
    document.querySelectorAll("[data-copy][hidden]").forEach((button) => { button.hidden = false; });
  };
  document.addEventListener("DOMContentLoaded", showCopyButtons);

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    const status = button.parentElement.querySelector("[data-copy-status]");
    navigator.clipboard.writeText(source.textContent.trim()).then(
      () => { if (status) status.textContent = "Copied."; },
      () => { if (status) status.textContent = "Could not copy: select the text and copy it."; },
    );
  });

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  }, true);

  // Role grid: any action needs "view"; taking "view" away takes the others too.
  document.addEventListener("change", (event) => {
    const box = event.target;
    const row = box.closest && box.closest("tr[data-grid-row]");
    if (!row || box.type !== "checkbox") return;
    const boxes = [...row.querySelectorAll("input[type=checkbox]")];
    const view = boxes[0];
    if (box === view && !view.checked) boxes.forEach((other) => { other.checked = false; });
    if (box !== view && box.checked) view.checked = true;
  });

  // Stage order: moving a stage moves its hidden input, so the form always holds the order shown.
  let dragged = null;
  let before = "";
  const order = (list) => [...list.querySelectorAll(".stage")].map((item) => item.dataset.stageId).join(",");

  document.addEventListener("dragstart", (event) => {
    const item = event.target.closest && event.target.closest(".stage[draggable=true]");
    if (!item) return;
    dragged = item;
    before = order(item.parentElement);
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.stageId);
  });

  document.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const over = event.target.closest && event.target.closest(".stage");
    if (!over || over.parentElement !== dragged.parentElement) return;
    event.preventDefault();
    if (over === dragged) return;
    const box = over.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    over.parentElement.insertBefore(dragged, after ? over.nextSibling : over);
  });

  document.addEventListener("drop", (event) => { if (dragged) event.preventDefault(); });

  document.addEventListener("dragend", () => {
    if (!dragged) return;
    const list = dragged.parentElement;
    dragged.classList.remove("dragging");
    dragged = null;
    // The server answers with the order it saved (or the current one and why it refused).
    if (order(list) !== before) list.closest("form").requestSubmit();
  });

  // After htmx swaps the stage panel, keep the keyboard on the button that was pressed.
  document.addEventListener("htmx:afterSettle", () => {
    const focus = document.querySelector("#stages-panel [data-focus]");
    if (focus) focus.focus();
  });
})();
