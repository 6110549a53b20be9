// Runs before the first paint (a blocking script in <head>; the CSP allows only 'self' scripts, so
// it is a file and not inline). It pins the theme the page last applied, so a user who pinned Light
// on a dark system never sees a dark first frame while the app waits for the host's remembered
// setting, which stays the source of truth and corrects this once it arrives (theme-store.ts).
// The key and the values must match THEME_STORAGE_KEY and applyTheme in renderer/stores/theme-store.ts.
(function () {
  try {
    var theme = window.localStorage.getItem('stowage.theme');
    if (theme === 'light' || theme === 'dark') document.documentElement.setAttribute('data-theme', theme);
  } catch (e) {
    // Storage refused (a locked-down profile): the host's setting still applies after load.
  }
})();
