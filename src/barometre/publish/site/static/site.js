/* Baromètre numérique des territoires : tri et filtre des classements, recherche.
   Amélioration progressive : sans JavaScript, les tableaux complets restent lisibles. */
"use strict";
(function () {
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function cellValue(row, index, kind) {
    var cell = row.children[index];
    var raw = cell.getAttribute("data-valeur");
    if (raw === null) { raw = cell.textContent.trim(); }
    if (kind === "nombre") { var n = parseFloat(raw); return isNaN(n) ? -Infinity : n; }
    return fold(raw);
  }
  function setupTable(table) {
    var tools = document.querySelector('[data-tableau="' + table.id + '"]');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, index) {
      var kind = th.getAttribute("data-tri");
      if (!kind) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tri";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        rows.sort(function (a, b) {
          var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
          if (x < y) { return ascending ? -1 : 1; }
          if (x > y) { return ascending ? 1 : -1; }
          return 0;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
    if (!tools) { return; }
    tools.hidden = false;
    var input = tools.querySelector('input[type="search"]');
    var grade = tools.querySelector("#filtre-note") || tools.querySelector("select");
    var criterion = tools.querySelector("#filtre-critere");
    var count = tools.querySelector('[role="status"]');
    function apply() {
      var needle = fold(input.value.trim());
      var wanted = grade ? grade.value : "";
      var passed = criterion ? criterion.value : "";
      var shown = 0;
      rows.forEach(function (row) {
        var match = (!needle || fold(row.textContent).indexOf(needle) !== -1) &&
          (!wanted || row.getAttribute("data-note") === wanted) &&
          (!passed || (" " + (row.getAttribute("data-reussis") || "") + " ").indexOf(" " + passed + " ") !== -1);
        row.hidden = !match;
        if (match) { shown += 1; }
      });
      count.textContent = shown + " collectivité" + (shown > 1 ? "s" : "") + " affichée" + (shown > 1 ? "s" : "") + " sur " + rows.length + ".";
    }
    input.addEventListener("input", apply);
    if (grade) { grade.addEventListener("change", apply); }
    if (criterion) { criterion.addEventListener("change", apply); }
    apply();
  }
  function setupSearch(form) {
    var input = form.querySelector("input");
    var list = document.getElementById("resultats");
    var count = document.getElementById("resultats-compte");
    var index = null;
    var root = form.getAttribute("data-index").replace(/recherche\.json$/, "");
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    function load() {
      /* one request, whatever the number of keystrokes before it answers */
      if (!index) {
        index = fetch(form.getAttribute("data-index")).then(function (r) { return r.json(); }).then(function (data) {
          return data.map(function (item) { item.cle = fold(item.n + " " + item.c); return item; });
        });
      }
      return index;
    }
    input.addEventListener("input", function () {
      var raw = input.value.trim();
      var needle = fold(raw);
      if (needle.length < 2) { list.textContent = ""; count.textContent = ""; return; }
      load().then(function (items) {
        if (raw !== input.value.trim()) { return; } /* a later keystroke will answer */
        var found = items.filter(function (item) { return item.cle.indexOf(needle) !== -1; }).slice(0, 50);
        list.textContent = "";
        found.forEach(function (item) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = root + item.u;
          a.textContent = item.n;
          li.appendChild(a);
          li.appendChild(document.createTextNode(" — " + item.t + " " + item.c + (item.s !== null ? ", score " + item.s.toLocaleString("fr-FR", { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + " / 100" : "")));
          list.appendChild(li);
        });
        count.textContent = found.length ? found.length + " résultat" + (found.length > 1 ? "s" : "") + (found.length === 50 ? " (50 premiers)" : "") + "." : "Aucun résultat.";
        list.setAttribute("data-requete", raw);
      });
    });
  }
  /* A wide table scrolls inside itself on a narrow screen (site.css): it is then made
     focusable, so that the keyboard can scroll it too (RGAA 7.3, WCAG 2.1.1). */
  function scrollableTables() {
    var tables = Array.prototype.slice.call(document.querySelectorAll("table.donnees"));
    var pending = false;
    function update() {
      pending = false;
      tables.forEach(function (table) {
        var scrolls = table.scrollWidth > table.clientWidth + 1;
        if (scrolls && !table.hasAttribute("tabindex")) {
          table.setAttribute("tabindex", "0");
          table.setAttribute("data-defilement", "");
        } else if (!scrolls && table.hasAttribute("data-defilement")) {
          table.removeAttribute("tabindex");
          table.removeAttribute("data-defilement");
        }
      });
    }
    window.addEventListener("resize", function () {
      if (!pending) { pending = true; window.requestAnimationFrame(update); }
    });
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.classement"), setupTable);
    var form = document.querySelector("form.recherche");
    if (form) { setupSearch(form); }
    scrollableTables();
    showOne("[data-cartes]", "section.carte-indicateur", "data-indicateur");
    showOne("[data-progressions]", "section.progression", "data-par");
  });
  /* Séries et cartes par indicateur, progression des abonnés : un sélecteur montre une section à
     la fois (sans JavaScript, toutes restent affichées). */
  function showOne(toolsSelector, sectionSelector, attribute) {
    var tools = document.querySelector(toolsSelector);
    if (!tools) { return; }
    var select = tools.querySelector("select");
    var status = tools.querySelector('[role="status"]');
    var sections = Array.prototype.slice.call(document.querySelectorAll(sectionSelector));
    function apply() {
      var shown = 0;
      sections.forEach(function (section) {
        section.hidden = section.getAttribute(attribute) !== select.value;
        if (!section.hidden) { shown += 1; }
      });
      if (status) {
        var option = select.options[select.selectedIndex];
        status.textContent = "Carte affichée : " + (option ? option.textContent : "") + ".";
      }
    }
    tools.hidden = false;
    select.addEventListener("change", apply);
    apply();
  }
})();
