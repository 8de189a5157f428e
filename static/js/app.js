/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  // Signed out, or the draft deleted: nothing typed on this page can be saved any more. Said
  // in the live region, and shown at the top of the page: a sighted person would type on.
  // In the page's language: the page carries the words (base.html, `said`).
  // Said once: by the live region, or by the notice itself when it is given the focus
  // (`focusing`). Signed out, the notice links to the sign-in page, which leads back here.
  function sayCannotSave(said, focusing) {
    var words = document.body.getAttribute(said);
    var status = document.getElementById("live-status");
    if (status && !focusing) status.textContent = words;
    var main = document.getElementById("main");
    if (main && !main.querySelector(".cannot-save-notice")) {
      var notice = document.createElement("div");
      notice.className = "notice notice--error cannot-save-notice";
      var line = document.createElement("p");
      line.textContent = words;
      var signIn = said === "data-signed-out" && document.body.getAttribute("data-sign-in");
      if (signIn) {
        var link = document.createElement("a");
        link.href = signIn;
        link.textContent = document.body.getAttribute("data-sign-in-words");
        line.appendChild(document.createTextNode(" "));
        line.appendChild(link);
      }
      notice.appendChild(line);
      main.insertBefore(notice, main.firstChild);
    }
  }

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
    // focus goes there too, not only the scroll. To the confirmation the part shows, if it
    // shows one: read as it takes the focus, once, and Tab goes on from it in the part; else
    // to the part, and a confirmation shown elsewhere is said by the live region (which is
    // only read when it changes).
    var part = document.body.getAttribute("data-focus") || location.hash.slice(1);
    var target = part && document.getElementById(part);
    // (A receipt's check: its verdict, `receipts/verify.html`.)
    var confirmation = target && target.querySelector(".notice[role=status], .verdict[role=status]");
    if (target) {
      var focused = confirmation || target;
      if (!focused.hasAttribute("tabindex")) focused.setAttribute("tabindex", "-1");
      // Scrolled to by the browser when the address names it; else (the page names it) here.
      var byAddress = !document.body.getAttribute("data-focus");
      focused.focus({ preventScroll: !confirmation && byAddress });
      // The browser's own going to the address's #part, once the page has loaded, takes the
      // focus from an element in it: given back.
      if (confirmation) {
        window.addEventListener("load", function () {
          var now = document.activeElement;
          if (now === document.body || now === target) confirmation.focus({ preventScroll: true });
        }, { once: true });
      }
    }
    var notice = document.querySelector(".notice[role=status]");
    var status = document.getElementById("live-status");
    if (target && notice && status && !confirmation) {
      setTimeout(function () { status.textContent = notice.textContent.trim(); }, 300);
    } else if (notice && !target) {
      // Back on a page after an action (a decision recorded, a letter added): the message
      // saying it is done takes the focus, so that it is read, and Tab goes on from it.
      notice.setAttribute("tabindex", "-1");
      notice.focus();
    }
  });

  // Typing is activity. A session ends after a while without a request, counted from the
  // last page opened (`wizard/sessions.py`), and a person writing a long answer opens none:
  // while they type, the page says so to the server, at most once a minute.
  // A page opened signed in is told if the session has ended meanwhile (signed out in another
  // tab, or after hours away), as a live check would tell it.
  var saidAlive = 0;
  // Resolves true once the server has said the session goes on (and for how long).
  function sayAlive() {
    var address = document.body.getAttribute("data-alive");
    if (!address) return Promise.resolve(false);
    saidAlive = Date.now();
    return fetch(address, { credentials: "same-origin", cache: "no-store" }).then(function (answer) {
      if (document.body.hasAttribute("data-signed-in") && answer.headers.get("X-Signed-Out")) {
        var dialog = sessionDialog();
        sessionEnded(!!(dialog && dialog.open)); // not taken from the field being typed in
        return false;
      }
      sessionLasts(parseInt(answer.headers.get("X-Session-Seconds-Left"), 10));
      return answer.ok;
    }).catch(function () { return false; });
  }
  document.addEventListener("input", function () {
    if (Date.now() - saidAlive >= 60000) sayAlive();
  });

  // Before the session ends, a signed-in page asks whether to stay signed in (WCAG 2.2.1),
  // in a modal dialog; staying (or Escape) asks for /session/alive, which counts as a page
  // opened. How long the session lasts comes with the page and with each answer of
  // /session/alive; before the page warns, and before it says the session has ended, it asks
  // the server (HEAD, which is no activity): another tab may have gone on meanwhile.
  var sessionEnds = null, sessionTimer = null, focusBefore = null;
  function sessionDialog() {
    var dialog = document.getElementById("session-ending");
    return dialog && dialog.showModal ? dialog : null; // browsers without <dialog>: no warning
  }
  function sessionLasts(seconds) {
    if (isNaN(seconds)) return;
    sessionEnds = Date.now() + seconds * 1000 - 5000; // less the time the answer took to come
    watchSession();
  }
  function askSession() {
    var address = document.body.getAttribute("data-alive");
    var asked = { method: "HEAD", credentials: "same-origin", cache: "no-store" };
    return fetch(address, asked).then(function (answer) {
      if (answer.headers.get("X-Signed-Out")) return 0;
      var left = parseInt(answer.headers.get("X-Session-Seconds-Left"), 10);
      return isNaN(left) ? null : left;
    }).catch(function () { return null; }); // not known: the page's own count stands
  }
  function watchSession() {
    var dialog = sessionDialog();
    clearTimeout(sessionTimer);
    if (!dialog || sessionEnds === null) return;
    var lead = parseInt(dialog.getAttribute("data-lead"), 10) * 1000;
    if (Date.now() < sessionEnds - lead) {
      // Looked at again at least every minute: timers sleep with the computer, the clock not.
      sessionTimer = setTimeout(watchSession, Math.min(sessionEnds - lead - Date.now() + 50, 60000));
      return;
    }
    askSession().then(function (left) {
      if (sessionEnds === null) return;
      if (left !== null) sessionEnds = Date.now() + left * 1000;
      var now = Date.now();
      if (left === 0 || now >= sessionEnds) {
        sessionEnded(true);
      } else if (now < sessionEnds - lead) { // gone on in another tab
        closeSessionDialog();
        watchSession();
      } else {
        openSessionDialog();
        sessionTimer = setTimeout(watchSession, Math.min(sessionEnds - now + 50, 30000));
      }
    });
  }
  function openSessionDialog() {
    var dialog = sessionDialog();
    if (dialog.open) return;
    // The element itself, and its id: a live check may have redrawn it meanwhile.
    var focused = document.activeElement;
    focusBefore = focused && focused !== document.body ? { node: focused, id: focused.id } : null;
    dialog.querySelector("[data-unreachable]").hidden = true;
    // The minutes left now (the page may open it late: after the computer slept), rounded
    // down but for the few seconds the page's count starts early; as the page wrote it if
    // the whole lead is left.
    var text = document.getElementById("session-ending-text");
    var minutes = Math.max(1, Math.floor((sessionEnds - Date.now() + 10000) / 60000));
    if (!text.hasAttribute("data-in-full")) text.setAttribute("data-in-full", text.textContent);
    text.textContent = text.getAttribute("data-in-" + minutes) || text.getAttribute("data-in-full");
    dialog.showModal();
    dialog.focus(); // the dialog itself, not its button: read from its title, seen from its top
    dialog.scrollTop = 0;
  }
  function closeSessionDialog() {
    var dialog = sessionDialog();
    if (!dialog || !dialog.open) return;
    dialog.close();
    var back = null;
    if (focusBefore) {
      back = focusBefore.node.isConnected ? focusBefore.node
        : (focusBefore.id && document.getElementById(focusBefore.id));
    }
    if (back) back.focus();
    // Gone from sight meanwhile (hidden, in a closed details): the page's main part, not
    // the page's body, which a screen reader reads from its start.
    if (!back || document.activeElement !== back) {
      var main = document.getElementById("main");
      if (main) main.focus();
    }
  }
  function sessionEnded(takeFocus) {
    sessionEnds = null;
    clearTimeout(sessionTimer);
    closeSessionDialog();
    sayCannotSave("data-signed-out", takeFocus);
    var notice = document.querySelector(".cannot-save-notice");
    if (notice && takeFocus) { // where it can be seen, at any zoom
      notice.setAttribute("tabindex", "-1");
      notice.focus();
    }
  }
  function staySignedIn(event) {
    var dialog = sessionDialog();
    if (event) event.preventDefault();
    clearTimeout(sessionTimer); // watched again once the server has said how long now
    sayAlive().then(function (answered) {
      if (sessionEnds === null) return; // ended: said so
      if (answered) {
        closeSessionDialog();
      } else { // the portal did not answer: said in the dialog, which stays
        var unreachable = dialog.querySelector("[data-unreachable]");
        unreachable.hidden = false;
        unreachable.setAttribute("role", "alert"); // not in the page's HTML: no alert raised there
        // Written again once shown: an alert is read when its words change, not when it is
        // merely shown (a second press that fails again is said again).
        var words = unreachable.getAttribute("data-words") || unreachable.textContent;
        unreachable.setAttribute("data-words", words);
        unreachable.textContent = "";
        setTimeout(function () { unreachable.textContent = words; }, 50);
      }
      watchSession();
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var dialog = sessionDialog();
    if (!dialog) return;
    dialog.querySelector("[data-stay-signed-in]").addEventListener("click", function () { staySignedIn(); });
    dialog.addEventListener("cancel", staySignedIn); // Escape
    sessionLasts(parseInt(document.body.getAttribute("data-session-left"), 10));
  });

  // Radios and a checkbox checked live are kept as they are when their question is redrawn
  // (`hx-preserve`, render.py): the one in focus keeps it. What the redrawn question says of
  // them is brought to them: in error or not, and (a checkbox) the messages that describe it.
  // Only where the browser can move a node without losing its focus (`moveBefore`); elsewhere
  // htmx would put the kept node back blurred, so the question is redrawn whole, and htmx
  // gives the focus to the new control of the same id.
  var movesKeepFocus = typeof Element !== "undefined" && "moveBefore" in Element.prototype;
  function withoutKeeping(root) {
    root.querySelectorAll("[hx-preserve]").forEach(function (kept) {
      kept.removeAttribute("hx-preserve");
    });
  }
  if (!movesKeepFocus) {
    document.addEventListener("DOMContentLoaded", function () { withoutKeeping(document); });
    document.addEventListener("htmx:beforeSwap", function (event) {
      if (typeof event.detail.serverResponse === "string") {
        event.detail.serverResponse = event.detail.serverResponse.split(' hx-preserve="true"').join("");
      }
    });
  }
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll(".field [hx-preserve]").forEach(function (kept) {
      var field = kept.closest(".field");
      var base = field.id.replace(/^field-/, "");
      var wrong = !!document.getElementById(base + "-error");
      kept.querySelectorAll("input").forEach(function (input) {
        if (wrong) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
        if (input.type !== "checkbox") return; // radios: described on their fieldset
        var described = ["-hint", "-error", "-warning"].map(function (end) { return base + end; })
          .filter(function (id) { return document.getElementById(id); });
        if (described.length) input.setAttribute("aria-describedby", described.join(" "));
        else input.removeAttribute("aria-describedby");
      });
    });
  });

  // A table's scrolling box is a Tab stop (tabindex=0 in the page, JavaScript off too), so
  // that a keyboard can scroll it. Where nothing overflows (its rows stacked on a narrow
  // screen, a wide window) that stop does nothing: it leaves the Tab order, and comes back
  // once the box overflows again (the window narrowed, the text zoomed).
  // Each box is watched (ResizeObserver): a table in a closed <details> at first, a font
  // loaded late, text zoomed without the window resized change it too.
  function tabStopIfScrolling(box) {
    if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
    else if (box.getAttribute("tabindex") === "0") box.removeAttribute("tabindex");
  }
  var watching = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(function (seen) {
    seen.forEach(function (entry) { tabStopIfScrolling(entry.target.closest(".table-scroll")); });
  });
  function tabStopsWhereScrolling() {
    document.querySelectorAll(".table-scroll[role=region]").forEach(function (box) {
      tabStopIfScrolling(box);
      if (watching) {
        watching.observe(box);
        var table = box.querySelector("table");
        if (table) watching.observe(table); // wider content, same box
      }
    });
  }
  document.addEventListener("DOMContentLoaded", tabStopsWhereScrolling);
  window.addEventListener("resize", tabStopsWhereScrolling);
  document.addEventListener("htmx:afterSettle", tabStopsWhereScrolling);

  // Links in the error summary: focus the field itself, not only scroll to it, with its
  // question, hint and error in view above it (at the top of the window); when they and the
  // answer do not fit together (a page zoomed in), as much of them as fits above the answer.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (target) {
      event.preventDefault();
      var block = target.closest(".field") || target;
      var height = target.getBoundingClientRect().bottom - block.getBoundingClientRect().top;
      if (height <= window.innerHeight) block.scrollIntoView({ block: "start" });
      else target.scrollIntoView({ block: "end" });
      target.focus({ preventScroll: true });
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
    document.querySelectorAll(".sending").forEach(function (note) { note.remove(); });
  });

  // A question that applies only after a given answer (data-shown-when: the question it
  // follows; data-shown-values: the answers) is shown once that answer is chosen. Without
  // this file every question shows, each saying when it applies, and the server keeps only
  // the answers that apply. A hidden question counts as unanswered for those that follow it.
  function answerTo(form, name) {
    var inputs = form.querySelectorAll("[name='" + name + "']");
    if (!inputs.length) return "";
    var block = inputs[0].closest(".field");
    if (block && block.hidden) return "";
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) return input.value;
      } else {
        return input.value;
      }
    }
    return "";
  }
  function showWhatApplies() {
    document.querySelectorAll("[data-shown-when]").forEach(function (block) {
      var form = block.closest("form");
      if (!form) return;
      var answers = block.getAttribute("data-shown-values").split(" ");
      var name = block.getAttribute("data-shown-when");
      block.hidden = answers.indexOf(answerTo(form, name)) < 0;
      if (block.hidden) leaveSummary(block);
      markControls(form, name, answers, block);
    });
    hideEmptyGroups();
    markRequired();
  }
  // A question asked only with a given answer to another (the SIRET of a French
  // manufacturer; the SRN unless the box says there is none; a question shown after an
  // answer) says whether it is asked now (aria-required) as that answer changes, as the page
  // said it when sent (`required_now`, render.py).
  function markRequired() {
    document.querySelectorAll("[data-required-when]").forEach(function (block) {
      var form = block.closest("form");
      if (!form) return;
      var answers = JSON.parse(block.getAttribute("data-required-values"));
      var asked = answers.indexOf(answerTo(form, block.getAttribute("data-required-when"))) >= 0;
      block.querySelectorAll("input:not([type=radio]):not([type=checkbox]), select, textarea")
        .forEach(function (control) {
          if (asked) control.setAttribute("aria-required", "true");
          else control.removeAttribute("aria-required");
        });
    });
  }
  // A group of questions (a fieldset with its legend and hint) whose questions are all
  // hidden is hidden with them: no heading left over an empty group, for the eye or for a
  // screen reader. It shows again as soon as one of them applies. Only the groups that hold
  // such a question, up to the form; not a question's own fieldset (its radios). Without this
  // file every group shows, its hint saying when its questions apply.
  function hideEmptyGroups() {
    var groups = [];
    document.querySelectorAll("[data-shown-when]").forEach(function (block) {
      var form = block.closest("form");
      var group = block.parentElement && block.parentElement.closest("fieldset");
      while (form && group && form.contains(group) && !group.closest(".field")) {
        if (groups.indexOf(group) < 0) groups.push(group);
        group = group.parentElement && group.parentElement.closest("fieldset");
      }
    });
    groups.forEach(function (group) {
      group.hidden = Array.prototype.every.call(group.querySelectorAll(".field"), function (q) {
        return q.hidden;
      });
    });
  }
  // The answers that show a question say so to screen readers: each controls it
  // (aria-controls: JAWS offers to go there); so does a list, whatever its answer. Not
  // aria-expanded, which ARIA does not allow a radio: the question shown comes next in the
  // page. Set here, not by the server: without this file nothing is hidden.
  function markControls(form, name, answers, block) {
    form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      var choice = input.type === "radio" || input.type === "checkbox";
      if (choice && answers.indexOf(input.value) < 0) return;
      var controls = (input.getAttribute("aria-controls") || "").split(" ").filter(Boolean);
      if (controls.indexOf(block.id) < 0) {
        controls.push(block.id);
        input.setAttribute("aria-controls", controls.join(" "));
      }
    });
  }
  document.addEventListener("DOMContentLoaded", showWhatApplies);
  document.addEventListener("change", showWhatApplies);
  // A live check's answer replaces a question's block: hidden again at once if it no
  // longer applies (its answer may arrive after another choice hid it).
  document.addEventListener("htmx:afterSwap", showWhatApplies);
  document.addEventListener("htmx:afterSettle", showWhatApplies);

  // The error summary lists what was wrong when the form was sent: an answer corrected since
  // (checked live) leaves it, and once all are, so does the summary (and "Error:" from the
  // page's title).
  // One still wrong, for another reason: its line in the summary says the new one.
  document.addEventListener("htmx:afterSettle", function (event) {
    var block = event.detail.elt;
    if (!block) return;
    if (!block.classList.contains("field--error")) {
      leaveSummary(block);
      // The question whose check this is (the request's target, redrawn: the same id) is the
      // person's: not said.
      var checked = event.detail.target;
      if (!checked || block.id !== checked.id) sayErrorGone(block);
      return;
    }
    var before = errorBefore[block.id];
    var now = errorWords(block);
    if (before && now && before !== now) renameInSummary(block);
  });
  // A question elsewhere on the page (not the one checked) whose error a change took away
  // (the end date, once the start moved before it): said in the live region, after what the
  // check says, as its error was said when it came.
  function sayErrorGone(block) {
    var status = document.getElementById("live-status");
    var words = document.body.getAttribute("data-error-gone");
    // (A question the same change no longer asks is hidden: nothing to say of it.)
    if (!errorBefore[block.id] || block.hidden || !status || !words) return;
    var label = block.querySelector(".label, .fieldset__legend, .checkbox__label");
    if (!label) return;
    var name = label.textContent.trim();
    // A label that is a sentence ("…?") is followed by the words alone, as the server says it.
    var said = /[?!.]$/.test(name)
      ? name + " " + words.replace(/^%\(label\)s\s*:\s*/, "")
      : words.replace("%(label)s", name);
    status.textContent = (status.textContent.trim() + " " + said).trim();
  }
  var errorBefore = {}; // question block id -> the words of its error before its last redraw
  function errorWords(block) {
    var message = block && block.querySelector(".error-message");
    if (!message) return "";
    var hidden = message.querySelector(".visually-hidden"); // "Error:"
    return message.textContent.slice(hidden ? hidden.textContent.length : 0).trim();
  }
  function noteErrorBefore(event) {
    var block = event.detail.target;
    if (block && block.id) errorBefore[block.id] = errorWords(block);
  }
  document.addEventListener("htmx:beforeSwap", noteErrorBefore);
  document.addEventListener("htmx:oobBeforeSwap", noteErrorBefore);
  // As the server lists it (`data-summary`): named by its question when the error does not
  // name it, and in French in lower case after the label.
  // The summary listing what was wrong: not a box that says a save was stopped (a
  // colleague's save, the request changed since it was checked), which lists nothing to
  // correct and stays.
  function errorSummary() {
    var list = document.querySelector(".error-summary__list");
    return list && list.closest(".error-summary");
  }
  function renameInSummary(block) {
    var summary = errorSummary();
    var message = block.querySelector(".error-message[data-summary]");
    if (!summary || !message || block.id.indexOf("field-") !== 0) return;
    var id = block.id.slice("field-".length);
    summary.querySelectorAll("a[href='#" + id + "'], a[href='#" + id + "-0']").forEach(
      function (link) { link.textContent = message.getAttribute("data-summary"); }
    );
  }
  // A question no longer wrong (or no longer asked): out of the error summary.
  function leaveSummary(block) {
    var summary = errorSummary();
    if (!summary || !block.id || block.id.indexOf("field-") !== 0) return;
    var id = block.id.slice("field-".length);
    summary.querySelectorAll("a[href='#" + id + "'], a[href='#" + id + "-0']").forEach(
      function (link) { link.closest("li").remove(); }
    );
    if (!summary.querySelector("li")) {
      var prefix = summary.getAttribute("data-title-prefix") || "";
      if (prefix && document.title.indexOf(prefix) === 0) {
        document.title = document.title.slice(prefix.length);
      }
      summary.remove();
    }
  }

  // A file above the size limit is refused as soon as it is chosen, not after minutes of
  // sending it over a hospital's network: the field says why (role=alert) and keeps only the
  // files within the limit. The form, once sent, names the ones kept back
  // (`<field>-too-big`), and the server refuses them as if they had come: the reason is
  // said beside the field and in the summary, and a step is not saved as if no file had
  // been chosen.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
    var cap = Number(input.getAttribute("data-max-bytes"));
    var files = Array.prototype.slice.call(input.files || []);
    var tooBig = files.filter(function (file) { return file.size > cap; });
    var id = input.id + "-size-error";
    var shown = document.getElementById(id);
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(
      function (name) { return name && name !== id; }
    );
    if (!tooBig.length) {
      if (shown) shown.remove();
      input.removeAttribute("data-too-big-names");
      input.setAttribute("aria-describedby", described.join(" "));
      if (input.hasAttribute("data-size-invalid")) { // in error for its size alone
        input.removeAttribute("data-size-invalid");
        input.removeAttribute("aria-invalid");
      }
      return;
    }
    var kept = files.filter(function (file) { return file.size <= cap; });
    try {
      var within = new DataTransfer();
      kept.forEach(function (file) { within.items.add(file); });
      input.files = within.files;
    } catch (error) {
      input.value = ""; // a browser that cannot take some back: none is sent
      tooBig = files;
    }
    input.setAttribute("data-too-big-names", JSON.stringify(tooBig.map(function (file) {
      return file.name;
    })));
    if (!shown) {
      shown = document.createElement("p");
      shown.className = "error-message";
      shown.id = id;
      shown.setAttribute("role", "alert");
      input.parentNode.insertBefore(shown, input);
    }
    var said = input.getAttribute("data-too-big");
    shown.textContent = files.length === 1 ? said : said + " (" + tooBig.map(function (file) {
      return file.name;
    }).join(", ") + ")";
    input.setAttribute("aria-describedby", described.concat([id]).join(" "));
    if (input.getAttribute("aria-invalid") !== "true") { // not in error already (the server's)
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("data-size-invalid", "");
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.submitter && event.submitter.hasAttribute("data-sends-no-file")) return;
    form.querySelectorAll("input[data-kept-back]").forEach(function (old) { old.remove(); });
    Array.prototype.forEach.call(form.elements, function (input) {
      if (input.type !== "file" || !input.hasAttribute("data-too-big-names")) return;
      JSON.parse(input.getAttribute("data-too-big-names")).forEach(function (name) {
        var named = document.createElement("input");
        named.type = "hidden";
        named.name = input.name + "-too-big";
        named.value = name;
        named.setAttribute("data-kept-back", "");
        form.appendChild(named);
      });
    });
  });

  // The language switch of a step's page sends its form, for what is typed there to come
  // back in the other language (base.html); with nothing changed on the page, it is the
  // plain link it carries (the page opened again, nothing said of typing).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.hasAttribute("data-href") || event.defaultPrevented) return;
    if (unsaved.indexOf(event.target) >= 0) return;
    event.preventDefault();
    window.location.href = button.getAttribute("data-href");
  });
  // "Remove", "Put back" and the language switch send the step's answers along (each is a
  // button of the step's form), not a file chosen meanwhile: that one would be sent for
  // nothing, and refused if too large. One emptied is said to the page that answers.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;
    if (!event.submitter || !event.submitter.hasAttribute("data-sends-no-file")) return;
    var dropped = false;
    Array.prototype.forEach.call(event.target.elements, function (input) {
      if (input.type !== "file") return;
      if (input.files && input.files.length) dropped = true;
      input.value = "";
    });
    if (dropped) {
      var note = document.createElement("input");
      note.type = "hidden";
      note.name = "file_not_sent";
      note.value = "1";
      note.setAttribute("data-kept-back", "");
      event.target.appendChild(note);
    }
  });

  // Sending a file takes a while: the page says it is under way.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.enctype !== "multipart/form-data") return;
    if (event.submitter && event.submitter.hasAttribute("data-sends-no-file")) return;
    if (form.querySelector(".sending")) return;
    var note = document.createElement("p");
    note.className = "hint sending";
    note.setAttribute("role", "status");
    form.appendChild(note);
    setTimeout(function () {
      note.textContent = document.body.getAttribute("data-sending");
    }, 50);
  });

  // A live check's answer redraws its question, and the questions whose rules read it, with
  // the answers as they were sent. One the person changed since (typed the end date while
  // the start date was being checked) is left as it is: its own change sends its own check.
  // Nor is a question drawn by a newer check's answer drawn again by an older one that came
  // back later (the box ticked, then the SRN emptied: the box's check, sent first, speaks
  // of both given); one whose question has been redrawn meanwhile is not drawn at all:
  // htmx would take the ticked box out of the page to keep it (hx-preserve) and lose it.
  var edits = 0;
  var editedAt = {}; // question block id -> number of the last edit made in it
  var sentAfter; // the edit count when the answer being swapped in was asked for
  var checks = 0; // the checks sent, numbered
  var drawnBy = {}; // block id -> number of the check whose answer drew it last
  var answering; // number of the check whose answer is being swapped in
  var judged = new WeakSet(); // the blocks drawOnlyIfNewer listens to
  function noteEdit(event) {
    var block = event.target.closest && event.target.closest(".field[id]");
    if (block) editedAt[block.id] = ++edits;
  }
  // Capture: counted before htmx sends the check that this very change triggers.
  document.addEventListener("input", noteEdit, true);
  document.addEventListener("change", noteEdit, true);
  document.addEventListener("htmx:beforeRequest", function (event) {
    var xhr = event.detail.xhr;
    var sent = edits;
    var number = ++checks;
    // Its question's block may have left the page by the time the answer comes (redrawn by a
    // newer check's answer): htmx then tells it alone, not the document, of the swap.
    var block = event.detail.target;
    if (block && !judged.has(block)) {
      judged.add(block);
      block.addEventListener("htmx:beforeSwap", drawOnlyIfNewer);
    }
    // Noted as the answer arrives, before htmx handles it ("load" comes after): its swaps,
    // out-of-band ones included, are judged by it even if the question it came from has
    // left the page meanwhile (whose events no longer reach the document).
    xhr.addEventListener("readystatechange", function () {
      if (xhr.readyState === 4) {
        sentAfter = sent;
        answering = number;
      }
    });
  });
  function editedSince(block) {
    return sentAfter !== undefined && (editedAt[block.id] || 0) > sentAfter;
  }
  function drawnSince(block) {
    return answering !== undefined && (drawnBy[block.id] || 0) > answering;
  }
  function drawOnlyIfNewer(event) {
    var block = event.detail.target;
    if (!block) return;
    if (!block.isConnected || editedSince(block) || drawnSince(block)) {
      event.detail.shouldSwap = false;
    } else if (block.id && answering !== undefined) {
      drawnBy[block.id] = answering;
    }
  }
  document.addEventListener("htmx:oobBeforeSwap", drawOnlyIfNewer);

  // A question redrawn while the person is in it gets its focus and selection back from
  // htmx, but not a selection from the first character (htmx reads 0 as none): the text
  // selected whole (Ctrl+A) as a check redrew it would lose its selection, and the Delete
  // pressed next take one character instead of all.
  var selection = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    selection = null;
    try {
      if (active && active.id && active.selectionStart === 0 && active.selectionEnd > 0) {
        selection = [active.id, active.selectionEnd, active.selectionDirection];
      }
    } catch (error) { /* a control without a text selection */ }
  });
  document.addEventListener("htmx:afterSwap", function () {
    var kept = selection;
    selection = null;
    var element = kept && document.getElementById(kept[0]);
    if (element && element === document.activeElement && element.selectionEnd !== kept[1]) {
      element.setSelectionRange(0, kept[1], kept[2]);
    }
  });

  // The invitation and the letter of step 9 belong to the step's one form (so that no
  // button leaves what is typed in the other behind): Enter in one of their fields presses
  // their own button, not the form's first.
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || event.defaultPrevented || !input.matches) return;
    if (!input.matches(".upload-form input:not([type=file]):not([type=checkbox])")) return;
    var button = input.closest(".upload-form").querySelector("button[formaction]");
    if (!button) return;
    event.preventDefault();
    button.click();
  });

  // What a person typed is not lost without a word: once they change an answer in a form
  // worth keeping (a step's; or one with a text to write: a clinician's letter, a reply to
  // ANSM, a reviewer's decision or question), leaving the page other than by sending that
  // form (a link, the language, the browser's Back) asks first, in the browser's own words.
  // Delegated to the document: a question a live check redraws is a new element. A live
  // check is no navigation: it neither asks nor forgets. The script's own changes (questions
  // shown or hidden, a file too large emptied) send no input or change event: they do not
  // count. A page sent in answer to a form (refused; or a file added while the step's
  // answers are unfinished) starts unsaved: it holds what was typed, which nothing saved.
  var unsaved = []; // the forms changed since the page was loaded
  // A step's form, one with a text of some length, or one the page marks (the declaration:
  // ticked boxes, a name typed to sign).
  function worthKeeping(form) {
    return !!form && (
      form.id === "step-form" || form.hasAttribute("data-keep-typed") ||
      !!form.querySelector("textarea")
    );
  }
  function askBeforeLeaving(event) {
    event.preventDefault();
    event.returnValue = ""; // what older browsers need to ask
  }
  function markUnsaved(form) {
    if (!worthKeeping(form) || unsaved.indexOf(form) >= 0) return;
    // Listened to only while something would be lost: a page without it can be kept in the
    // browser's back-forward cache.
    if (!unsaved.length) window.addEventListener("beforeunload", askBeforeLeaving);
    unsaved.push(form);
  }
  // The field's form, even outside it (form="step-form": step 9's invitation and letter).
  function noteUnsaved(event) { markUnsaved(event.target.form); }
  document.addEventListener("input", noteUnsaved);
  document.addEventListener("change", noteUnsaved);
  // A page answering a form holds what was typed in that form: the one sent to this page's
  // address (its action, or the formaction of one of its buttons: "Upload", "Remove"), not
  // the page's other forms (a reviewer's page has one per decision), which would then ask
  // as the corrected form is sent. None recognised: all, rather than lose what was typed.
  function pathOf(address) { return new URL(address, location.href).pathname; }
  function sentHere(form) {
    // The attribute: `form.action` is the step form's buttons named "action", not its own.
    if (pathOf(form.getAttribute("action") || location.href) === location.pathname) return true;
    return Array.prototype.some.call(form.elements, function (control) {
      return control.hasAttribute("formaction") && pathOf(control.formAction) === location.pathname;
    });
  }
  if (document.body.hasAttribute("data-unsaved")) {
    var forms = Array.prototype.filter.call(document.forms, worthKeeping);
    var sent = forms.filter(sentHere);
    (sent.length ? sent : forms).forEach(markUnsaved);
  }
  // Sending the form keeps what is in it, whichever of its buttons sends it (some are outside
  // it, with their own formaction: "Upload", "Remove"). Not a send stopped (clicked twice).
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;
    if (unsaved.indexOf(event.target) >= 0 && sending.indexOf(event.target) < 0) {
      sending.push(event.target);
    }
    unsaved = unsaved.filter(function (form) { return form !== event.target; });
    if (!unsaved.length) window.removeEventListener("beforeunload", askBeforeLeaving);
  });
  // A send that never ended (the browser's Stop pressed during an upload, the network gone)
  // leaves the page with what was typed, which nothing saved: once the person acts on the
  // page again, leaving it asks again. A send that ends replaces the page.
  var sending = [];
  function backToUnsaved() {
    var forms = sending;
    sending = [];
    forms.forEach(markUnsaved);
  }
  document.addEventListener("pointerdown", backToUnsaved, true);
  document.addEventListener("keydown", backToUnsaved, true);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) sending = []; // back from the cache: the send had ended
  });

  // A live check that fails on the network must not look like a passed one: an answer of an
  // error, or none at all (the network down, the server stopped: htmx:sendError).
  document.addEventListener("htmx:sendError", checkFailed);
  document.addEventListener("htmx:responseError", checkFailed);
  function checkFailed(event) {
    var status = document.getElementById("live-status");
    var xhr = event.detail && event.detail.xhr;
    var said = "data-check-failed";
    if (xhr && xhr.getResponseHeader("X-Signed-Out")) said = "data-signed-out";
    if (xhr && xhr.getResponseHeader("X-Draft-Deleted")) said = "data-draft-deleted";
    if (xhr && xhr.getResponseHeader("X-Request-Submitted")) said = "data-request-submitted";
    // A professional's link that stopped working while the page was open (the request
    // submitted or deleted, the link cancelled, replaced or used from another tab).
    if (xhr && xhr.getResponseHeader("X-Link-Closed")) said = "data-link-closed";
    if (xhr && xhr.status === 413) said = "data-too-long"; // refused unread (`TEXT_FORM_BYTES`)
    var cannotSave = ["data-signed-out", "data-draft-deleted", "data-request-submitted", "data-link-closed"];
    var checked = event.detail && event.detail.elt;
    if (cannotSave.indexOf(said) !== -1) {
      sayCannotSave(said);
      // Beside the question just answered too, once: at the top of a long page on a phone,
      // the notice is out of sight of who types on (the live region has said it).
      var answered = checked && checked.closest && checked.closest(".field");
      if (answered && !document.querySelector(".cannot-save-message")) {
        var beside = document.createElement("p");
        beside.className = "error-message cannot-save-message";
        beside.textContent = document.body.getAttribute(said);
        answered.appendChild(beside);
      }
    } else if (status) {
      // Said in the page's language: the page carries the words (base.html).
      status.textContent = document.body.getAttribute(said);
    }
    // Too long to be read: said beside the question too, until its next check redraws it.
    var field = event.detail && event.detail.elt;
    var block = said === "data-too-long" && field && field.closest && field.closest(".field");
    if (block && !block.querySelector(".too-long-message")) {
      var note = document.createElement("p");
      note.className = "error-message too-long-message";
      note.textContent = document.body.getAttribute(said);
      field.parentNode.insertBefore(note, field);
    }
  }
})();
