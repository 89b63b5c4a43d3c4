/* Spend-per-month chart of the guest 360 (ECharts): bars for the spend, a line for the visits.
   Each [data-trend-chart] element names the json_script element holding its months
   (data-trend-source: [{month, spend, visits, share}]), the list it pictures
   (data-trend-fallback: visually hidden once the chart is drawn, still read by screen readers),
   where ECharts is served (data-echarts-src: loaded on first need, once) and its translated
   series names (data-label-spend, data-label-visits). Charts are drawn on page load and in
   content HTMX swaps in. */
(function () {
  "use strict";
  if (window.huikeTrendChart) {
    window.huikeTrendChart.drawAll(document);
    return;
  }
  let loading = null;

  function loadECharts(src) {
    if (window.echarts) {
      return Promise.resolve(window.echarts);
    }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        const script = document.createElement("script");
        script.src = src;
        script.onload = function () {
          resolve(window.echarts);
        };
        script.onerror = function () {
          loading = null;
          reject(new Error("ECharts could not be loaded from " + src));
        };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function yuan(value) {
    return "¥" + Number(value).toLocaleString(document.documentElement.lang || undefined, {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
  }

  function option(months, labels) {
    return {
      animation: false,
      grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
      legend: { data: [labels.spend, labels.visits], top: 0 },
      tooltip: {
        trigger: "axis",
        valueFormatter: function (value) {
          return value;
        },
      },
      xAxis: { type: "category", data: months.map(function (m) { return m.month; }) },
      yAxis: [
        { type: "value", axisLabel: { formatter: function (v) { return "¥" + v; } } },
        { type: "value", minInterval: 1, splitLine: { show: false } },
      ],
      series: [
        {
          name: labels.spend,
          type: "bar",
          data: months.map(function (m) { return Number(m.spend); }),
          itemStyle: { color: "#206bc4" },
          tooltip: { valueFormatter: yuan },
        },
        {
          name: labels.visits,
          type: "line",
          yAxisIndex: 1,
          data: months.map(function (m) { return m.visits; }),
          itemStyle: { color: "#f76707" },
        },
      ],
    };
  }

  function draw(element) {
    if (element.dataset.trendDrawn) {
      return;
    }
    const source = document.getElementById(element.dataset.trendSource);
    if (!source) {
      return;
    }
    element.dataset.trendDrawn = "pending";
    const months = JSON.parse(source.textContent);
    loadECharts(element.dataset.echartsSrc).then(
      function (echarts) {
        const chart = echarts.init(element, null, { renderer: "canvas" });
        chart.setOption(
          option(months, {
            spend: element.dataset.labelSpend || "Spend",
            visits: element.dataset.labelVisits || "Visits",
          }),
        );
        element.dataset.trendDrawn = "yes";
        const fallback = document.getElementById(element.dataset.trendFallback);
        if (fallback) {
          fallback.classList.add("visually-hidden");
        }
        window.addEventListener("resize", function () {
          if (element.isConnected) {
            chart.resize();
          }
        });
      },
      function () {
        element.dataset.trendDrawn = "failed"; // the list below stays visible instead
        element.hidden = true;
      },
    );
  }

  function drawAll(root) {
    const scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches("[data-trend-chart]")) {
      draw(scope);
    }
    scope.querySelectorAll("[data-trend-chart]").forEach(draw);
  }

  window.huikeTrendChart = { drawAll: drawAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      drawAll(document);
    });
  } else {
    drawAll(document);
  }
  document.addEventListener("htmx:load", function (event) {
    drawAll(event.detail && event.detail.elt);
  });
})();
