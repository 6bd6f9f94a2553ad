/* Socle – small enhancements only: every form works without this file. */
(function () {
  "use strict";
  // Ask before an action that changes identities (data-confirm="question").
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      e.preventDefault();
    }
  });
  // Bring the first message of a page (error or notice) to the reader.
  document.addEventListener("DOMContentLoaded", function () {
    var msg = document.querySelector(".error-message, .alert, .notice");
    if (msg) {
      msg.setAttribute("tabindex", "-1");
      msg.setAttribute("role", msg.classList.contains("notice") ? "status" : "alert");
    }
  });
})();
