// The deal board: drag a card to another column (HTML5 drag and drop), or press its "Move…" button and
// pick the stage in a dialog (keyboard, touch). Either way the server moves the deal (POST
// /deals/<id>/move/, through deal_move with the card's version); its answer replaces the card and the
// column heads (counts and totals). The card is shown in its new column while the server decides, and goes
// back with a message saying why when the move is refused (stale version, missing lost reason, no right).
(() => {
  "use strict";

  let dragged = null; // the card being dragged
  let dialogCard = null; // the card the Move dialog is about

  const byId = (id) => document.getElementById(id);
  const dialog = () => byId("move-dialog");
  const cardsOf = (stageId) => byId(`stage-${stageId}-cards`);

  function announce(text, isError) {
    const region = byId("board-status");
    if (!region) return;
    region.textContent = text;
    region.classList.toggle("error", Boolean(isError));
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  // Cards are ordered by expected close date, then id (data-sort), as the server orders them.
  function placeSorted(card, list) {
    const key = card.dataset.sort || "";
    const after = [...list.children].find((other) => other !== card && other.classList.contains("deal-card") && (other.dataset.sort || "") > key);
    list.insertBefore(card, after || null);
  }

  function putBack(card, origin) {
    const next = origin.next && origin.next.parentElement === origin.parent ? origin.next : null;
    origin.parent.insertBefore(card, next);
  }

  function focusMoveButton(card) {
    const current = card && byId(card.id);
    const button = current && current.querySelector("[data-move]");
    if (button) button.focus();
  }

  const FALLBACK = {
    403: "You may not move this deal.",
    404: "This deal no longer exists, or you may no longer see it.",
    409: "Someone changed this deal meanwhile: it was not moved.",
    422: "The deal was not moved.",
  };

  async function moveCard(card, stageId, lostReason) {
    const target = cardsOf(stageId);
    if (!target || card.dataset.stageId === String(stageId)) return card;
    const origin = { parent: card.parentElement, next: card.nextElementSibling };
    placeSorted(card, target);
    card.classList.add("pending");
    card.setAttribute("aria-busy", "true");
    announce("Moving…");

    const body = new FormData();
    body.set("stage_id", stageId);
    body.set("version", card.dataset.version);
    if (lostReason) body.set("lost_reason", lostReason);
    const board = byId("board");
    const query = board && board.dataset.filterQuery ? `?${board.dataset.filterQuery}` : "";
    let response;
    let text;
    try {
      response = await fetch(`/deals/${card.dataset.dealId}/move/${query}`, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() },
      });
      text = await response.text();
    } catch (error) {
      putBack(card, origin);
      card.classList.remove("pending");
      card.removeAttribute("aria-busy");
      announce("The server could not be reached, so the deal was not moved.", true);
      return card;
    }

    const answer = document.createElement("template");
    answer.innerHTML = text;
    const fresh = answer.content.querySelector(".deal-card");
    const message = answer.content.querySelector("[data-board-message]");
    answer.content.querySelectorAll(".column-head[id]").forEach((head) => {
      const current = byId(head.id);
      if (current) current.replaceWith(head);
    });
    if (!response.ok) putBack(card, origin);
    let result = card;
    if (fresh) {
      card.replaceWith(fresh);
      // The server says where the deal is: after a conflict, maybe a column someone else moved it to.
      const home = cardsOf(fresh.dataset.stageId);
      if (!home) fresh.remove();
      else if (fresh.parentElement !== home) placeSorted(fresh, home);
      result = fresh;
    } else {
      card.classList.remove("pending");
      card.removeAttribute("aria-busy");
    }
    const said = message && message.textContent.trim();
    announce(said || (response.ok ? "Moved." : FALLBACK[response.status] || "The deal was not moved."), !response.ok);
    return result;
  }

  // ------------------------------------------------------------ drag and drop

  const columnAt = (node) => (node instanceof Element ? node.closest(".board-column") : null);

  function clearDropTargets() {
    document.querySelectorAll(".board-column.drop-target").forEach((column) => column.classList.remove("drop-target"));
  }

  document.addEventListener("dragstart", (event) => {
    const card = event.target instanceof Element ? event.target.closest(".deal-card") : null;
    if (!card || !columnAt(card)) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.dealId);
    card.classList.add("dragging");
  });

  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearDropTargets();
  });

  document.addEventListener("dragover", (event) => {
    const column = columnAt(event.target);
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!column.classList.contains("drop-target")) {
      clearDropTargets();
      column.classList.add("drop-target");
    }
  });

  document.addEventListener("drop", (event) => {
    const column = columnAt(event.target);
    if (!column || !dragged) return;
    event.preventDefault();
    const card = dragged;
    card.classList.remove("dragging");
    dragged = null;
    clearDropTargets();
    const stageId = column.dataset.stageId;
    if (stageId === card.dataset.stageId) return;
    if (column.dataset.stageKind === "lost") openDialog(card, stageId); // a lost deal needs its reason first
    else moveCard(card, stageId, "");
  });

  // ------------------------------------------------------------ the Move dialog (keyboard and touch)

  function selectedKind(box) {
    const option = box.querySelector("select").selectedOptions[0];
    return option ? option.dataset.kind : "";
  }

  function syncReason(box) {
    const lost = selectedKind(box) === "lost";
    const wrap = box.querySelector("[data-lost-reason]");
    wrap.hidden = !lost;
    if (!lost) box.querySelector("#move-dialog-reason-error").hidden = true;
  }

  function openDialog(card, stageId) {
    const box = dialog();
    if (!box || typeof box.showModal !== "function") {
      window.location.href = card.querySelector("[data-move]").href;
      return;
    }
    dialogCard = card;
    const title = card.querySelector(".card-title");
    box.querySelector("[data-deal-name]").textContent = `“${title ? title.textContent.trim() : ""}”`;
    const select = box.querySelector("select");
    select.value = stageId || card.dataset.stageId;
    const reason = box.querySelector("[name=lost_reason]");
    reason.value = "";
    reason.removeAttribute("aria-invalid");
    box.querySelector("#move-dialog-reason-error").hidden = true;
    syncReason(box);
    box.showModal();
    (stageId && selectedKind(box) === "lost" ? reason : select).focus();
  }

  function closeDialog() {
    const box = dialog();
    const card = dialogCard;
    dialogCard = null;
    if (box && box.open) box.close();
    focusMoveButton(card);
  }

  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element)) return;
    const button = event.target.closest(".board-column .deal-card [data-move]");
    if (button && dialog()) {
      event.preventDefault();
      openDialog(button.closest(".deal-card"), null);
    } else if (event.target.closest("#move-dialog [data-cancel]")) {
      event.preventDefault();
      announce("Not moved.");
      closeDialog();
    }
  });

  document.addEventListener("change", (event) => {
    const box = event.target instanceof Element ? event.target.closest("#move-dialog") : null;
    if (box) syncReason(box);
  });

  document.addEventListener("cancel", (event) => {
    // Escape closes the dialog: nothing moves and focus returns to the card.
    if (event.target === dialog()) {
      event.preventDefault();
      closeDialog();
    }
  }, true);

  document.addEventListener("submit", async (event) => {
    if (!(event.target instanceof Element) || event.target.id !== "move-dialog-form") return;
    event.preventDefault();
    const box = dialog();
    const card = dialogCard;
    const stageId = box.querySelector("select").value;
    const reason = box.querySelector("[name=lost_reason]");
    if (selectedKind(box) === "lost" && !reason.value.trim()) {
      box.querySelector("#move-dialog-reason-error").hidden = false;
      reason.setAttribute("aria-invalid", "true");
      reason.focus();
      return;
    }
    dialogCard = null;
    box.close();
    if (!card) return;
    if (stageId === card.dataset.stageId) {
      announce("The deal is already in this stage.");
      focusMoveButton(card);
      return;
    }
    const result = await moveCard(card, stageId, reason.value.trim());
    focusMoveButton(result);
  });

  // ------------------------------------------------------------ htmx forms on these pages

  // Invalid forms (422), stale versions (409) and bad filters (400) come back as HTML to show.
  document.addEventListener("htmx:beforeSwap", (event) => {
    if ([400, 409, 422].includes(event.detail.xhr.status)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // After the details panel turns into a form (or back), keyboard focus follows it.
  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (!(target instanceof Element) || target.id !== "deal-details") return;
    const focusable = target.querySelector("[aria-invalid=true], form input:not([type=hidden]), .section-head a");
    if (focusable) focusable.focus();
  });
})();
