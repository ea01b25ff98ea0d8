// The stores' board, live: the console sends the board's fragment as server-sent events (its
// figures, its overdue shipments and their freshness); each replaces the one shown. An `end`
// event (the session ended, the token was revoked, the page is refused) reloads the page, which
// then shows why. Served by the console itself: no inline script, no CDN.
(function () {
  "use strict";
  var board = document.getElementById("board");
  var status = document.getElementById("board-status");
  if (!board || !window.EventSource) {
    return;
  }
  var source = new EventSource(board.getAttribute("data-events"));
  function tell(text) {
    if (status) {
      status.textContent = text;
    }
  }
  source.addEventListener("open", function () {
    tell("Updating live.");
  });
  source.addEventListener("board", function (event) {
    board.innerHTML = event.data;
    tell("Updating live; last update " + new Date().toLocaleTimeString("en-GB", {timeZone: "Asia/Shanghai"}) + " (Shanghai).");
  });
  source.addEventListener("end", function () {
    source.close();
    window.location.reload();
  });
  source.addEventListener("error", function () {
    tell("Connection lost; trying again.");
  });
}());
