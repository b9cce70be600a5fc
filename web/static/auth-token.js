/* The IIIF access token page (Auth 1.0 and 2.0): posts its message to the page that framed
   it, to the origin that page asked with (checked by the server) and never to "*". */
(function () {
  "use strict";
  var body = document.body;
  var origin = body.dataset.origin;
  if (window.parent === window || !origin || origin === "*") {
    return;
  }
  window.parent.postMessage(JSON.parse(body.dataset.message), origin);
}());
