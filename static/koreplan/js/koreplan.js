// DKFDS ships its components' behaviour but does not start it: start it once the page
// has loaded. A file rather than an inline script, so that a strict CSP can forbid those.
document.addEventListener("DOMContentLoaded", function () {
  window.DKFDS.init();
});
