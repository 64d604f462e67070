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

// A tap on a share button is counted for its channel. The beacon is handed to
// the browser, which sends it in the background: the app the button opens
// never waits for it, and a failure changes nothing for the advocate. It
// carries the channel and the link's code only; no cookie goes with it.
document.addEventListener("click", (event) => {
  const button = event.target.closest("a.share-button[data-channel]");
  const page = document.querySelector("[data-shares-url]");
  if (!button || !page || typeof navigator.sendBeacon !== "function") return;
  try {
    navigator.sendBeacon(page.dataset.sharesUrl, new URLSearchParams({
      channel: button.dataset.channel,
      link: page.dataset.link,
    }));
  } catch {
    // A refused beacon (too large, blocked by an extension) is simply not counted.
  }
});
