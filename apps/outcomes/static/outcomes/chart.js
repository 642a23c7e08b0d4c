// Bar chart of the share of participants who improved, per key competence. The table beside it carries the
// same figures for screen readers and keyboards; the chart is decorative (aria-hidden).
(function () {
  "use strict";
  var data = document.getElementById("competence-chart-data");
  var canvas = document.getElementById("competence-chart");
  if (!data || !canvas || typeof Chart === "undefined") {
    return;
  }
  var figures = JSON.parse(data.textContent);
  var label = document.currentScript ? document.currentScript.dataset.label : "%";
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: figures.labels,
      datasets: [{ label: label, data: figures.improved, backgroundColor: "#0d6efd" }],
    },
    options: {
      indexAxis: "y",
      maintainAspectRatio: false,
      scales: { x: { min: 0, max: 100 } },
      plugins: { legend: { display: false } },
    },
  });
})();
