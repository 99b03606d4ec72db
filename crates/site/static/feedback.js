// Progressive enhancement of the "Was this helpful?" widget. The same forms work without
// JavaScript (POST, then a redirect back); with it, votes go as JSON without a reload, the
// follow-up question for the vote opens, focus moves to it, and the status line (a polite
// live region) announces the thanks.
(function () {
  "use strict";
  var box = document.getElementById("feedback");
  if (!box || !window.fetch) return;
  var voteForm = box.querySelector("form.vote");
  var detailForms = box.querySelectorAll("form.details");
  var status = box.querySelector(".status");
  var counts = box.querySelector(".counts");

  function show(message, isError) {
    status.textContent = message || "";
    status.classList.toggle("error", !!isError);
  }

  function send(body) {
    return fetch(voteForm.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || "Your feedback could not be saved; please try again.");
        return data;
      });
    });
  }

  function pressed(helpful) {
    voteForm.querySelectorAll("button[name=helpful]").forEach(function (button) {
      button.setAttribute("aria-pressed", String((button.value === "yes") === helpful));
    });
  }

  function tally(data) {
    if (data.feedback && counts) {
      counts.textContent = data.feedback.helpful + " found this helpful, " + data.feedback.not_helpful + " did not.";
    }
  }

  function honeypot(form) {
    var field = form.querySelector("input[name=website]");
    return field ? field.value : "";
  }

  voteForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var helpful = !!(event.submitter && event.submitter.value === "yes");
    send({ helpful: helpful, website: honeypot(voteForm) }).then(function (data) {
      pressed(helpful);
      tally(data);
      show(data.message);
      var wanted = helpful ? "yes" : "no";
      detailForms.forEach(function (form) {
        form.hidden = form.getAttribute("data-helpful") !== wanted;
        if (!form.hidden) {
          var legend = form.querySelector("legend");
          if (legend) legend.focus();
        }
      });
    }).catch(function (error) { show(error.message, true); });
  });

  detailForms.forEach(function (form) {
    var textarea = form.querySelector("textarea");
    var used = form.querySelector(".count .used");
    if (textarea && used) {
      var update = function () { used.textContent = String(Array.from(textarea.value).length); };
      textarea.addEventListener("input", update);
      update();
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      send({
        helpful: form.getAttribute("data-helpful") === "yes",
        reason: data.get("reason") || null,
        comment: data.get("comment") || null,
        website: honeypot(form)
      }).then(function (reply) {
        tally(reply);
        form.hidden = true;
        show(reply.thanks || reply.message);
        status.focus();
      }).catch(function (error) {
        // What the visitor typed stays in the form.
        show(error.message, true);
        status.focus();
      });
    });
  });
})();
