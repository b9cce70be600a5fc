/* Opens Mirador 4 on the item whose manifest URL is in #viewer's data-manifest.
   Kept out of the page so that the Content-Security-Policy needs no inline script. */
(function () {
  "use strict";
  var element = document.getElementById("viewer");
  if (!element || !window.Mirador) {
    return;
  }
  var windowConfig = { manifestId: element.dataset.manifest };
  if (element.dataset.canvas) {
    windowConfig.canvasId = element.dataset.canvas;
  }
  if (element.dataset.searchQuery) {  // for the Content Search issue
    windowConfig.defaultSearchQuery = element.dataset.searchQuery;
  }
  window.thuviensoViewer = window.Mirador.viewer({
    id: "viewer",
    language: element.dataset.language || "vi",
    window: { allowClose: false, allowMaximize: false, sideBarOpen: false },
    workspaceControlPanel: { enabled: false },
    windows: [windowConfig]
  });
}());
