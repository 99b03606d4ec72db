// Progressive enhancement of the "Was this helpful?" widget: the same forms work without
// JavaScript (POST, then a redirect back); with it, votes are sent as JSON without a reload.
(function () {
  "use strict";
  var box = document.getElementById("feedback");
  if (!box || !window.fetch) return;
  var voteForm = box.querySelector("form.vote");
  var reasonForm = box.querySelector("form.reason");
  var status = box.querySelector(".status");
  var counts = box.querySelector(".counts");

  function show(message) {
    status.textContent = message;
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

  function update(data, helpful) {
    voteForm.querySelectorAll("button").forEach(function (button) {
      button.setAttribute("aria-pressed", String((button.value === "yes") === helpful));
    });
    if (data.feedback && counts) {
      counts.textContent = data.feedback.helpful + " found this helpful, " + data.feedback.not_helpful + " did not.";
    }
    show(data.message);
  }

  voteForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var helpful = !!(event.submitter && event.submitter.value === "yes");
    send({ helpful: helpful }).then(function (data) {
      update(data, helpful);
      reasonForm.hidden = helpful;
      if (!helpful) {
        var first = reasonForm.querySelector("input[type=radio]");
        if (first) first.focus();
      }
    }).catch(function (error) { show(error.message); });
  });

  reasonForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var form = new FormData(reasonForm);
    send({ helpful: false, reason: form.get("reason") || null, comment: form.get("comment") || null })
      .then(function (data) {
        update(data, false);
        reasonForm.hidden = true;
        status.focus();
      })
      .catch(function (error) { show(error.message); });
  });
})();
