// Accuracy charts (Chart.js): bars per engine per field group, and a daily trend line.
// The figures come from a JSON block the page carries; the tables show the same numbers.
(function () {
  "use strict";

  var COLOURS = ["#1f5fa8", "#b3541e", "#2e7d32", "#7b3fa0", "#8a6d00", "#00796b", "#c2185b"];

  function percent(values) {
    return values.map(function (v) { return v === null ? null : Math.round(v * 1000) / 10; });
  }

  function datasets(series, kind) {
    return Object.keys(series).map(function (engine, index) {
      var colour = COLOURS[index % COLOURS.length];
      return { label: engine, data: percent(series[engine]), backgroundColor: colour, borderColor: colour, spanGaps: true, fill: false, type: kind };
    });
  }

  var AXIS = { y: { min: 0, max: 100, title: { display: true, text: "% correct" } } };

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("chart-data");
    if (!source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    window.Chart.defaults.animation = false;
    new window.Chart(document.getElementById("chart-groups"), {
      type: "bar",
      data: { labels: data.groups, datasets: datasets(data.bars, "bar") },
      options: { scales: AXIS }
    });
    new window.Chart(document.getElementById("chart-trend"), {
      type: "line",
      data: { labels: data.days, datasets: datasets(data.trend, "line") },
      options: { scales: AXIS }
    });
  });
})();
