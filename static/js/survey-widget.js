/* "How did you hear about us?": the script a shop's thank-you page loads.
 *
 * <script src=".../survey/widget.js" data-campaign="1" data-token="..."
 *         data-order="ORDER_ID" data-lang="de" async></script>
 *
 * Builds the form in a shadow root right after its own tag, and posts the
 * answer as JSON to this service (no credentials: no cookie is sent or set).
 * Its words and choices are written in by the service (survey/languages);
 * nothing is loaded from anywhere else.
 */
(function () {
  "use strict";
  var DATA = /*SURVEY_DATA*/null;
  var script = document.currentScript;
  if (!DATA || !script) { return; }

  var CSS = [
    ":host { all: initial; display: block; font: 16px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1d2330; }",
    ".survey { max-width: 32rem; }",
    "fieldset { border: 1px solid #c9ceda; border-radius: 0.5rem; margin: 0 0 0.75rem; padding: 0.5rem 0.75rem 0.75rem; }",
    "legend { font-weight: 600; padding: 0 0.25rem; }",
    ".choice { display: flex; align-items: center; gap: 0.5rem; min-height: 2.5rem; }",
    ".choice input { width: 1.25rem; height: 1.25rem; margin: 0; flex: none; }",
    ".field label { display: block; margin-bottom: 0.25rem; }",
    ".field input { box-sizing: border-box; width: 100%; font: inherit; padding: 0.5rem; border: 1px solid #8a93a6; border-radius: 0.375rem; }",
    ".help { margin: 0.25rem 0 0.75rem; font-size: 0.875rem; color: #4a5263; }",
    "button { font: inherit; font-weight: 600; min-height: 2.75rem; padding: 0.5rem 1.25rem; border: 0; border-radius: 0.375rem; background: #1f4fd1; color: #fff; cursor: pointer; }",
    "button[disabled] { opacity: 0.6; cursor: progress; }",
    ":focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }",
    ".error { color: #a3161b; font-weight: 600; margin: 0.25rem 0 0.5rem; }",
    ".error:empty { display: none; }",
    ".done { font-weight: 600; margin: 0; padding: 0.75rem 0; }"
  ].join("\n");

  function language(wanted) {
    var primary = String(wanted || "").toLowerCase().replace("_", "-").split("-")[0];
    return Object.prototype.hasOwnProperty.call(DATA.texts, primary) ? primary : "en";
  }

  function element(name, attributes, text) {
    var node = document.createElement(name);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text) { node.textContent = text; }
    return node;
  }

  var base = script.src.replace(/\/survey\/widget\.js(\?.*)?$/, "");
  var campaign = script.getAttribute("data-campaign") || "";
  var token = script.getAttribute("data-token") || "";
  var order = script.getAttribute("data-order") || "";
  var lang = language(script.getAttribute("data-lang") || document.documentElement.lang);
  var t = DATA.texts[lang];

  var host = element("div", { "class": "shortener-survey", lang: lang });
  script.parentNode.insertBefore(host, script.nextSibling);
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  if (root !== host && "adoptedStyleSheets" in root && typeof CSSStyleSheet === "function") {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  }

  var id = "shortener-survey-" + Math.random().toString(36).slice(2, 8);
  var form = element("form", { "class": "survey", novalidate: "" });
  var fieldset = element("fieldset", { "aria-describedby": id + "-error" });
  fieldset.appendChild(element("legend", {}, t.legend));
  var error = element("p", { "class": "error", id: id + "-error", role: "alert" });
  fieldset.appendChild(error);
  var radios = DATA.choices.map(function (value) {
    var row = element("div", { "class": "choice" });
    var radio = element("input", { type: "radio", name: "heard_via", value: value, id: id + "-" + value });
    row.appendChild(radio);
    row.appendChild(element("label", { "for": id + "-" + value }, t.choices[value]));
    fieldset.appendChild(row);
    return radio;
  });
  form.appendChild(fieldset);
  var field = element("div", { "class": "field" });
  field.appendChild(element("label", { "for": id + "-referrer" }, t.referrer_label));
  var referrer = element("input", {
    type: "text", id: id + "-referrer", name: "referrer", maxlength: String(DATA.maxText),
    autocomplete: "off", "aria-describedby": id + "-help"
  });
  field.appendChild(referrer);
  field.appendChild(element("p", { "class": "help", id: id + "-help" }, t.referrer_help));
  form.appendChild(field);
  var submit = element("button", { type: "submit" }, t.submit);
  form.appendChild(submit);
  root.appendChild(form);

  function finish(message) {
    var done = element("p", { "class": "done", role: "status", tabindex: "-1" }, message);
    root.replaceChild(done, form);
    done.focus();
  }

  function fail(message, focus) {
    error.textContent = message;
    submit.disabled = false;
    submit.textContent = t.submit;
    (focus || submit).focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = radios.filter(function (radio) { return radio.checked; })[0];
    if (!chosen) { fail(t.choose, radios[0]); return; }
    error.textContent = "";
    submit.disabled = true;
    submit.textContent = t.sending;
    fetch(base + "/survey/" + encodeURIComponent(campaign) + "/answers", {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      referrerPolicy: "no-referrer",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({
        token: token, order_id: order, heard_via: chosen.value,
        referrer: referrer.value.trim(), lang: lang
      })
    }).then(function (response) {
      if (response.status === 201) { finish(t.thanks); return; }
      if (response.status === 409) { finish(t.answered); return; }
      if (response.status === 429) { fail(t.too_many); return; }
      return response.json().then(function (problem) {
        if (problem.field === "heard_via") { fail(t.choose, radios[0]); return; }
        if (problem.field === "referrer") { fail(t.failed, referrer); return; }
        fail(t.failed);
      }, function () { fail(t.failed); });
    }, function () { fail(t.failed); });
  });
}());
