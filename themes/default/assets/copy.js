// Paper pages. Copy buttons: reveal them (they need JS) and copy the target's text, or select it if
// copying is refused. Wide tables in the notes: see the end.
for (const button of document.querySelectorAll("button[data-copy-target]")) {
  const target = document.getElementById(button.dataset.copyTarget);
  const status = button.parentElement.querySelector(".copy-status");
  if (!target) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(target.textContent);
      if (status) status.textContent = "Copied.";
    } catch {
      const range = document.createRange();
      range.selectNodeContents(target);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      if (status) status.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
    }
  });
}

// Tables in the notes that are wider than the screen scroll sideways: make those reachable by keyboard.
const scrollers = new ResizeObserver((entries) => {
  for (const { target } of entries) {
    if (target.scrollWidth > target.clientWidth) target.tabIndex = 0;
    else target.removeAttribute("tabindex");
  }
});
for (const table of document.querySelectorAll(".notes table")) scrollers.observe(table);
