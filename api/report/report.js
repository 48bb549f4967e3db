// The round report's behaviour: draw each chart from its JSON, fit the charts to a printed
// page, and sort a table by the column whose heading button is pressed.
"use strict";

(function () {
  // the width of an A4 page between 12 mm margins, in CSS pixels
  var PRINT_WIDTH = 700;
  var CONFIG = {
    responsive: true,
    displaylogo: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
  };

  function charts() {
    return Array.prototype.slice.call(document.querySelectorAll(".cosource-figure"));
  }

  document.querySelectorAll("script.cosource-figure-data").forEach(function (data) {
    var figure = JSON.parse(data.textContent);
    var element = document.getElementById(data.dataset.for);
    Plotly.newPlot(element, figure.data, figure.layout, CONFIG);
  });

  // a chart keeps the width it had on screen unless told: fit it to the page for print
  function fit(width) {
    charts().forEach(function (element) {
      Plotly.relayout(element, { width: width, autosize: width === null });
    });
  }
  window.addEventListener("beforeprint", function () { fit(PRINT_WIDTH); });
  window.addEventListener("afterprint", function () { fit(null); });

  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var status = document.getElementById("sort-status");

  function number(text) {
    var cleaned = text.replace(/[^0-9.eE+-]/g, "");
    var value = parseFloat(cleaned);
    return isNaN(value) ? -Infinity : value;
  }

  function sortBy(table, head, column) {
    if (table.getAttribute("aria-busy") === "true") {
      return;
    }
    var numeric = head.dataset.type === "number";
    var ascending = head.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    head.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var keyed = Array.prototype.map.call(body.rows, function (row, index) {
      var text = row.cells[column].textContent;
      return { key: numeric ? number(text) : text, index: index, row: row };
    });
    var sign = ascending ? 1 : -1;
    keyed.sort(function (a, b) {
      var order = numeric ? (a.key > b.key) - (a.key < b.key) : collator.compare(a.key, b.key);
      return sign * order || a.index - b.index;
    });
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (item) { fragment.appendChild(item.row); });
    body.appendChild(fragment);
    if (status) {
      status.textContent = table.caption.textContent + ": sorted by " +
        head.textContent.trim() + (ascending ? ", ascending" : ", descending");
    }
  }

  // a large table's rows come gzip-compressed (base64) in a script element beside it
  function inflate(packed) {
    var table = document.getElementById(packed.dataset.for);
    var body = table.tBodies[0];
    table.setAttribute("aria-busy", "true");
    var bytes = Uint8Array.from(atob(packed.textContent.trim()), function (c) {
      return c.charCodeAt(0);
    });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(function (rows) {
      body.innerHTML = rows;
      table.removeAttribute("aria-busy");
    });
  }
  document.querySelectorAll("script.cosource-rows").forEach(inflate);

  document.querySelectorAll("table.sortable").forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (head, column) {
      var button = head.querySelector("button");
      if (button) {
        button.addEventListener("click", function () { sortBy(table, head, column); });
      }
    });
  });
})();
