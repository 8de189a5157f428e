/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  // After a failed submit the error summary has autofocus; move focus there in browsers that
  // ignore autofocus on non-form elements, so screen readers read the problems first.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary && document.activeElement !== summary) {
      summary.focus();
      return;
    }
    // Back on a page after an action on part of it (a file added, an invitation sent), the
    // address (or the page, when it is shown without a redirect) names that part: keyboard
    // focus goes there too, not only the scroll, and the confirmation shown at the top is
    // said (a live region is only read when it changes).
    var part = document.body.getAttribute("data-focus") || location.hash.slice(1);
    var target = part && document.getElementById(part);
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
    }
    var notice = document.querySelector(".notice[role=status]");
    var status = document.getElementById("live-status");
    if (target && notice && status) {
      setTimeout(function () { status.textContent = notice.textContent.trim(); }, 300);
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

  // A form that makes something (a new request) is sent once, however many clicks; again
  // after a while (the network failed) or when the page comes back from the browser's cache.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-submit-once")) return;
    if (form.getAttribute("data-sent")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "true");
    setTimeout(function () { form.removeAttribute("data-sent"); }, 10000);
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sent]").forEach(function (form) {
      form.removeAttribute("data-sent");
    });
  });

  // A live check that fails on the network must not look like a passed one.
  document.addEventListener("htmx:responseError", function () {
    var status = document.getElementById("live-status");
    if (status) status.textContent = document.documentElement.lang === "fr"
      ? "La vérification n'a pas pu être faite ; elle sera refaite à l'envoi."
      : "This answer could not be checked now; it will be checked when you continue.";
  });
})();
