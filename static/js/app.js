/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  // After a failed submit the error summary has autofocus; move focus there in browsers that
  // ignore autofocus on non-form elements, so screen readers read the problems first.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary && document.activeElement !== summary) {
      summary.focus();
    }
  });

  // Links in the error summary: focus the field itself, not only scroll to it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (target) {
      event.preventDefault();
      target.scrollIntoView({ block: "center" });
      target.focus();
    }
  });

  // A live check that fails on the network must not look like a passed one.
  document.addEventListener("htmx:responseError", function () {
    var status = document.getElementById("live-status");
    if (status) status.textContent = document.documentElement.lang === "fr"
      ? "La vérification n'a pas pu être faite ; elle sera refaite à l'envoi."
      : "This answer could not be checked now; it will be checked when you continue.";
  });
})();
