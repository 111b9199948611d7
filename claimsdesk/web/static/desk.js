/* claimsdesk: keyboard shortcuts and small form helpers. No dependencies, no inline script (CSP).
 *
 * Shortcuts are key sequences separated by spaces ("g h" = press g, then h within a second).
 * Any element with data-shortcut="keys" gets one: links and buttons are clicked, form fields
 * focused; data-shortcut-label names it in the help. Scripts may add more:
 *   Desk.shortcuts.register("j", "Next row", () => ...);
 * "?" opens the list, Esc closes it. Shortcuts never fire while typing in a field.
 */
(function () {
  "use strict";

  const SEQUENCE_MS = 1000;
  const registry = [];
  let pending = [];
  let timer = null;

  function register(keys, label, run) {
    const sequence = String(keys).trim().split(/\s+/);
    const key = sequence.join(" ");
    const existing = registry.findIndex((s) => s.key === key);
    const entry = { key: key, sequence: sequence, label: label, run: run };
    if (existing >= 0) registry[existing] = entry; else registry.push(entry);
    return entry;
  }

  function isTyping(target) {
    if (!target || !(target instanceof Element)) return false;
    if (target.isContentEditable) return true;
    const tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return !["button", "submit", "reset", "checkbox", "radio"].includes(target.type);
  }

  function reset() {
    pending = [];
    if (timer) { clearTimeout(timer); timer = null; }
  }

  function startsWith(sequence, prefix) {
    return prefix.every((k, i) => sequence[i] === k);
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") { closeHelp(); reset(); return; }
    if (isTyping(event.target) || event.key.length !== 1) return;
    pending.push(event.key);
    let candidates = registry.filter((s) => startsWith(s.sequence, pending));
    if (candidates.length === 0 && pending.length > 1) {
      pending = [event.key];  // a stray first key should not swallow a valid second one
      candidates = registry.filter((s) => startsWith(s.sequence, pending));
    }
    if (candidates.length === 0) { reset(); return; }
    const exact = candidates.find((s) => s.sequence.length === pending.length);
    if (exact && candidates.length === 1) {
      event.preventDefault();
      reset();
      exact.run(event);
      return;
    }
    event.preventDefault();
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () {
      const done = exact;
      reset();
      if (done) done.run(event);
    }, SEQUENCE_MS);
  }

  function activate(element) {
    if (element.matches("input, select, textarea")) {
      element.focus();
      if (typeof element.select === "function" && element.type !== "date") element.select();
    } else {
      element.click();
    }
  }

  function bindMarkedElements(root) {
    root.querySelectorAll("[data-shortcut]").forEach(function (element) {
      const label = element.dataset.shortcutLabel || element.textContent.trim() || element.name;
      register(element.dataset.shortcut, label, function () { activate(element); });
    });
  }

  function keyCells(key) {
    const cell = document.createElement("td");
    key.split(" ").forEach(function (k, i) {
      if (i > 0) cell.append(" then ");
      const kbd = document.createElement("kbd");
      kbd.textContent = k;
      cell.append(kbd);
    });
    return cell;
  }

  function openHelp() {
    const dialog = document.getElementById("shortcut-help");
    if (!dialog || dialog.open) return;
    const body = dialog.querySelector("tbody");
    body.replaceChildren();
    registry.forEach(function (s) {
      const row = document.createElement("tr");
      const label = document.createElement("td");
      label.textContent = s.label;
      row.append(keyCells(s.key), label);
      body.append(row);
    });
    dialog.showModal();
  }

  function closeHelp() {
    const dialog = document.getElementById("shortcut-help");
    if (dialog && dialog.open) dialog.close();
  }

  function bindConfirmations(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  }

  register("?", "Show keyboard shortcuts", openHelp);

  document.addEventListener("DOMContentLoaded", function () {
    bindMarkedElements(document);
    bindConfirmations(document);
  });
  document.addEventListener("keydown", onKey);

  window.Desk = Object.freeze({
    shortcuts: Object.freeze({
      register: register,
      list: function () { return registry.map((s) => ({ keys: s.key, label: s.label })); },
      openHelp: openHelp,
      closeHelp: closeHelp,
    }),
  });
})();

/* Denial desk: move through work lists with j/k, open action panels by key, small helpers.
 *
 * Tables marked data-rows: j / k move the current row (it gets .is-current and its link the
 * focus, so Enter opens it), x ticks its checkbox, a click on the row opens it.
 * <details class="action"> whose summary has data-shortcut: the key opens the panel (never
 * closes it) and puts the cursor in its first field; Esc inside closes it again.
 * Inputs with data-approval-limit show their .approval-flag hint above the limit.
 */
(function () {
  "use strict";

  const shortcuts = window.Desk && window.Desk.shortcuts;
  if (!shortcuts) return;

  function rowTables() {
    return Array.from(document.querySelectorAll("table[data-rows]")).filter(function (t) {
      return t.querySelector("tbody tr[data-href]");
    });
  }

  function currentRow() {
    return document.querySelector("table[data-rows] tbody tr.is-current");
  }

  function rowsOf(table) {
    return Array.from(table.querySelectorAll("tbody tr[data-href]"));
  }

  function mark(row) {
    const old = currentRow();
    if (old) old.classList.remove("is-current");
    row.classList.add("is-current");
    const link = row.querySelector("a.rowlink") || row.querySelector("a");
    if (link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const now = currentRow();
    const tables = rowTables();
    if (!tables.length) return;
    const rows = rowsOf(now ? now.closest("table") : tables[0]);
    let index = now ? rows.indexOf(now) + step : 0;
    index = Math.max(0, Math.min(rows.length - 1, index));
    mark(rows[index]);
  }

  function tick() {
    const row = currentRow();
    const box = row && row.querySelector("input[type=checkbox]");
    if (box) box.checked = !box.checked;
  }

  function bindRowClicks() {
    document.querySelectorAll("table[data-rows] tbody tr[data-href]").forEach(function (row) {
      row.addEventListener("click", function (event) {
        if (event.target.closest("a, button, input, select, label, textarea")) return;
        window.location.assign(row.dataset.href);
      });
    });
  }

  function firstField(panel) {
    return panel.querySelector(
      "textarea, select, input:not([type=hidden]):not([disabled]), button[type=submit]"
    );
  }

  function openPanel(panel) {
    document.querySelectorAll("details.action[open]").forEach(function (other) {
      if (other !== panel) other.open = false;
    });
    panel.open = true;
    panel.scrollIntoView({ block: "nearest" });
    const field = firstField(panel);
    if (field) field.focus();
  }

  function bindActionPanels() {
    document.querySelectorAll("details.action > summary[data-shortcut]").forEach(function (s) {
      const panel = s.parentElement;
      shortcuts.register(s.dataset.shortcut, s.dataset.shortcutLabel || s.textContent.trim(),
        function () { openPanel(panel); });
    });
    const refused = document.querySelector("details.action[open]");
    if (refused) {
      const field = firstField(refused);
      if (field) field.focus();
    }
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      const panel = event.target instanceof Element && event.target.closest("details.action");
      if (panel && panel.open) {
        panel.open = false;
        panel.querySelector("summary").focus();
      }
    });
  }

  function bindApprovalHints() {
    document.querySelectorAll("input[data-approval-limit]").forEach(function (input) {
      const flag = input.closest(".field").querySelector(".approval-flag");
      const limit = Number(input.dataset.approvalLimit);
      function update() {
        const value = Number(String(input.value).replace(/[$,\s]/g, ""));
        if (flag) flag.hidden = !(value > limit);
      }
      input.addEventListener("input", update);
      update();
    });
  }

  function bindSearchFallback() {
    const taken = shortcuts.list().some(function (s) { return s.keys === "/"; });
    if (!taken && document.querySelector(".topbar")) {
      shortcuts.register("/", "Search claims", function () { window.location.assign("/search"); });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (rowTables().length) {
      shortcuts.register("j", "Next row", function () { move(1); });
      shortcuts.register("k", "Previous row", function () { move(-1); });
      if (document.querySelector("table[data-rows] input[type=checkbox]")) {
        shortcuts.register("x", "Tick the current row", tick);
      }
      bindRowClicks();
    }
    bindActionPanels();
    bindApprovalHints();
    bindSearchFallback();
  });
})();
