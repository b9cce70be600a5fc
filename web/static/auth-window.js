/* The sign-in (or sign-out) window a IIIF viewer opened, once done: the viewer's page, when it
   is one of ours, is reloaded so that it draws with the new session (Mirador 4.0.0 leaves its
   canvas blank after a token arrives), then the window closes, which tells the viewer to go on.
   A page of another origin cannot be touched from here: it runs its own token flow. */
(function () {
  "use strict";
  var opener = window.opener;
  try {
    if (opener && opener !== window && opener.location.origin === window.location.origin) {
      opener.location.reload();
    }
  } catch (ignore) {
    /* another origin's page */
  }
  if (opener) {
    window.close();
  }
}());
