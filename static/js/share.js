// The share page's copy button: the link goes to the clipboard, and the
// status line says so for screen readers too.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const status = document.getElementById("copy-status");
  const field = document.getElementById("share-link");
  try {
    await navigator.clipboard.writeText(button.dataset.copy);
    status.textContent = "Link copied. Paste it anywhere.";
  } catch {
    // Clipboard API refused (older browser, no permission): select for Ctrl+C.
    field.focus();
    field.select();
    status.textContent = "Press Ctrl+C (or long-press and Copy) to copy the link.";
  }
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = "Copy"; }, 2000);
});
