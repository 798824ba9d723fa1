/*
 * Ragline evaluation dashboard: lists runs, shows one run's metrics and charts, compares two runs.
 * Live mode reads the report API (data-api on <body>, or ?api=...); export mode renders the report embedded
 * in the page (<script id="ragline-report">), which is how `harness --html` writes a self-contained file.
 * Charts are drawn with Chart.js; window.raglineDashboard exposes them (and a ready flag) for tests.
 */
(function () {
  'use strict';

  const app = document.getElementById('app');
  const body = document.body;
  const mode = body.dataset.mode || 'live';
  const api = new URLSearchParams(location.search).get('api') || body.dataset.api || '../v1/eval/reports';
  const state = { charts: [], ready: false, view: null };
  window.raglineDashboard = state;

  const PALETTE = ['#2166ac', '#d6604d', '#4dac26', '#8073ac', '#e08214', '#35978f', '#c51b7d', '#7f7f7f'];

  // ---------- small DOM helpers ----------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function fmt(v) {
    if (v === null || v === undefined) return '—';
    if (typeof v !== 'number') return String(v);
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v)) return v.toLocaleString('en-US');
    const a = Math.abs(v);
    return a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(3) : v.toFixed(4);
  }

  function fmtSigned(v) {
    return (v > 0 ? '+' : '') + fmt(v);
  }

  function color(i, alpha) {
    const hex = PALETTE[i % PALETTE.length];
    if (alpha === undefined) return hex;
    const n = parseInt(hex.slice(1), 16);
    return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }

  // ---------- data ----------
  // A service that requires API keys answers 401: ask once for an admin key and keep it for this tab only.
  async function fetchJson(url) {
    const headers = { Accept: 'application/json' };
    const key = sessionStorage.getItem('ragline.apiKey');
    if (key) headers.Authorization = 'Bearer ' + key;
    const response = await fetch(url, { headers });
    if (response.status === 401 || response.status === 403) {
      const entered = window.prompt('This Ragline service needs an API key with the admin role:');
      if (entered) {
        sessionStorage.setItem('ragline.apiKey', entered.trim());
        return fetchJson(url);
      }
    }
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
  }

  const reportUrl = (id) => `${api}/${encodeURIComponent(id)}`;

  // ---------- charts ----------
  function chartBox(title, extraClass) {
    const canvas = el('canvas');
    const box = el('div', { class: 'chart ' + (extraClass || '') }, el('h3', {}, title), el('div', { class: 'canvas-box' }, canvas));
    return { box, canvas };
  }

  function makeChart(canvas, config) {
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options || {});
    const chart = new Chart(canvas, config);
    state.charts.push(chart);
    return chart;
  }

  function reliabilityChart(diagram) {
    const { box, canvas } = chartBox('Reliability: ' + diagram.name);
    const bins = diagram.bins;
    const labels = bins.map((b) => `${b.lower.toFixed(2)}–${b.upper.toFixed(2)}`);
    makeChart(canvas, {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { type: 'bar', label: 'accuracy', data: bins.map((b) => (b.count > 0 ? b.accuracy : null)), backgroundColor: color(0, 0.7), order: 2 },
          { type: 'line', label: 'mean confidence', data: bins.map((b) => (b.count > 0 ? b.confidence : null)), borderColor: color(1), backgroundColor: color(1), pointRadius: 3, spanGaps: true, order: 1 },
          { type: 'line', label: 'perfect calibration', data: bins.map((b) => (b.lower + b.upper) / 2), borderColor: '#999', borderDash: [4, 4], pointRadius: 0, order: 0 },
        ],
      },
      options: {
        scales: { y: { min: 0, max: 1, title: { display: true, text: 'accuracy' } }, x: { title: { display: true, text: 'confidence bin' } } },
        plugins: { tooltip: { callbacks: { afterBody: (items) => `examples: ${bins[items[0].dataIndex].count}` } } },
      },
    });
    return box;
  }

  function curveCharts(curves) {
    // Curves sharing axes (for example every judge's ROC) go in one chart.
    const groups = new Map();
    for (const c of curves) {
      const key = c.xLabel + '\u0000' + c.yLabel;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(c);
    }
    return [...groups.values()].map((group) => {
      const title = group.length === 1 ? group[0].name : `${group[0].yLabel} vs ${group[0].xLabel}`;
      const { box, canvas } = chartBox(title);
      makeChart(canvas, {
        type: 'scatter',
        data: {
          datasets: group.map((c, i) => ({
            label: c.name, data: c.points.map((p) => ({ x: p.x, y: p.y })), showLine: true,
            borderColor: color(i), backgroundColor: color(i), pointRadius: c.points.length > 60 ? 0 : 2, borderWidth: 2,
          })),
        },
        options: {
          scales: {
            x: { type: 'linear', title: { display: true, text: group[0].xLabel } },
            y: { type: 'linear', title: { display: true, text: group[0].yLabel } },
          },
        },
      });
      return box;
    });
  }

  function confusionChart(confusion) {
    const labels = confusion.labels;
    const n = labels.length;
    const { box, canvas } = chartBox('Confusion matrix: ' + confusion.name + ` (${n} labels)`, 'square');
    const points = [];
    confusion.counts.forEach((row, gold) => {
      const total = row.reduce((a, b) => a + b, 0) || 1;
      row.forEach((count, predicted) => {
        if (count > 0) points.push({ x: predicted, y: gold, v: count, share: count / total });
      });
    });
    // Half a cell, from the plotted area: cells tile the matrix whatever its size.
    const radius = (ctx) => {
      const area = ctx.chart.chartArea;
      return area ? Math.max(1, (0.5 * Math.min(area.width, area.height)) / n) : 3;
    };
    const tick = (value) => (Number.isInteger(value) && value >= 0 && value < n ? labels[value] : '');
    const integerTicks = (axis) => { axis.ticks = labels.map((_, i) => ({ value: i })); };
    makeChart(canvas, {
      type: 'scatter',
      data: {
        datasets: [{
          label: 'share of the gold label\u2019s examples',
          data: points,
          pointStyle: 'rect',
          pointRadius: radius,
          pointHoverRadius: radius,
          backgroundColor: points.map((p) => `rgba(33, 102, 172, ${0.12 + 0.88 * p.share})`),
          borderWidth: 0,
        }],
      },
      options: {
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (ctx) => `gold ${labels[ctx.raw.y]} → predicted ${labels[ctx.raw.x]}: ${ctx.raw.v}` } },
        },
        scales: {
          x: { type: 'linear', min: -0.5, max: n - 0.5, afterBuildTicks: integerTicks, ticks: { callback: tick, autoSkip: true, maxRotation: 60 }, title: { display: true, text: 'predicted' }, grid: { display: false } },
          y: { type: 'linear', min: -0.5, max: n - 0.5, reverse: true, afterBuildTicks: integerTicks, ticks: { callback: tick, autoSkip: true }, title: { display: true, text: 'gold' }, grid: { display: false } },
        },
      },
    });
    return box;
  }

  function histogramChart(histogram) {
    const { box, canvas } = chartBox(histogram.name);
    const e = histogram.edges;
    const short = (x) => String(+x.toFixed(3));
    const labels = e.slice(0, -1).map((lo, i) => `${short(lo)}–${short(e[i + 1])}`);
    makeChart(canvas, {
      type: 'bar',
      data: { labels, datasets: histogram.series.map((s, i) => ({ label: s.name, data: s.counts, backgroundColor: color(i, 0.7) })) },
      options: { scales: { x: { title: { display: true, text: histogram.xLabel } }, y: { beginAtZero: true, title: { display: true, text: 'count' } } } },
    });
    return box;
  }

  const TABLE_ROWS_SHOWN = 25;

  function htmlTable(table) {
    const rows = (list) => list.map((row) => el('tr', {}, row.map((v) => el('td', { class: typeof v === 'number' ? 'num' : null }, fmt(v)))));
    const head = () => el('thead', {}, el('tr', {}, table.columns.map((c) => el('th', {}, c))));
    const shown = table.rows.slice(0, TABLE_ROWS_SHOWN);
    const rest = table.rows.slice(TABLE_ROWS_SHOWN);
    return el('div', {},
      el('h3', {}, table.name),
      el('table', { class: 'data' }, head(), el('tbody', {}, rows(shown))),
      rest.length ? el('details', {}, el('summary', {}, `${rest.length} more rows`),
        el('table', { class: 'data more' }, head(), el('tbody', {}, rows(rest)))) : null);
  }

  // ---------- views ----------
  function header(extra) {
    return el('header', { class: 'top' }, el('h1', {}, 'Ragline evaluation'),
      mode === 'live' ? el('a', { href: '#/' }, 'all runs') : null, extra || null);
  }

  function renderList(summaries) {
    app.append(header());
    const main = el('main', {});
    app.append(main);
    main.append(el('h2', {}, `Runs (${summaries.length})`));
    if (summaries.length === 0) {
      main.append(el('p', {}, 'No reports yet: run the harness (see evaluation/README.md).'));
      return;
    }
    const selected = new Set();
    const compare = el('button', { id: 'compare-button', disabled: true, onclick: () => {
      const [a, b] = [...selected];
      location.hash = `#/compare/${encodeURIComponent(a)}/${encodeURIComponent(b)}`;
    } }, 'Compare the two selected runs');
    const rows = summaries.map((s) => {
      const box = el('input', { type: 'checkbox', 'data-run': s.runId, onchange: (ev) => {
        if (ev.target.checked) selected.add(s.runId); else selected.delete(s.runId);
        compare.disabled = selected.size !== 2;
      } });
      const headline = (s.headline || []).slice(0, 4).map((m) => `${m.name} ${fmt(m.value)}`).join(' · ');
      return el('tr', { 'data-run': s.runId },
        el('td', {}, box),
        el('td', {}, el('a', { href: `#/run/${encodeURIComponent(s.runId)}` }, s.runId)),
        el('td', {}, s.suite), el('td', {}, s.label || ''), el('td', {}, s.startedAt || ''), el('td', {}, headline));
    });
    main.append(el('table', { id: 'runs' },
      el('thead', {}, el('tr', {}, ['', 'run', 'suite', 'label', 'started', 'headline'].map((h) => el('th', {}, h)))),
      el('tbody', {}, rows)), el('p', {}, compare));
  }

  function runSections(report) {
    const parts = [];
    const meta = el('p', { class: 'meta' }, `${report.suite} · started ${report.startedAt} · finished ${report.finishedAt}`,
      report.provenance && report.provenance.gitCommit ? ` · commit ${report.provenance.gitCommit.slice(0, 10)}${report.provenance.gitDirty ? ' (dirty)' : ''}` : '');
    parts.push(meta);
    if (report.label) parts.push(el('p', {}, report.label));
    parts.push(el('div', { class: 'cards' }, (report.headline || []).map((m) =>
      el('div', { class: 'card', 'data-metric': m.name }, el('div', { class: 'name' }, m.name), el('div', { class: 'value' }, fmt(m.value))))));
    const c = report.charts || {};
    const grid = el('div', { class: 'charts' });
    (c.reliability || []).forEach((d) => grid.append(reliabilityChart(d)));
    curveCharts(c.curves || []).forEach((b) => grid.append(b));
    (c.histograms || []).forEach((h) => grid.append(histogramChart(h)));
    (c.confusion || []).forEach((m) => grid.append(confusionChart(m)));
    parts.push(grid);
    (c.tables || []).forEach((t) => parts.push(htmlTable(t)));
    parts.push(el('details', {}, el('summary', {}, 'configuration and provenance'),
      el('pre', {}, JSON.stringify({ configuration: report.configuration, provenance: report.provenance }, null, 2))));
    return parts;
  }

  function renderRunPage(report) {
    state.view = 'run';
    app.append(header());
    app.append(el('main', { 'data-run': report.runId }, el('h2', {}, `${report.suite} run ${report.runId}`), runSections(report)));
  }

  /** 'better' / 'worse' by the metric's direction, 'changed' when it has none or exists in one run only. */
  function changeClass(a, b) {
    if (!a || !b) return 'changed';
    const delta = b.value - a.value;
    if (Math.abs(delta) <= 1e-12 * Math.max(1, Math.abs(a.value))) return 'same';
    const better = a.better || b.better;
    if (better === 'HIGHER') return delta > 0 ? 'better' : 'worse';
    if (better === 'LOWER') return delta < 0 ? 'better' : 'worse';
    return 'changed';
  }

  function renderCompare(a, b) {
    state.view = 'compare';
    app.append(header());
    const main = el('main', { id: 'comparison' });
    app.append(main);
    main.append(el('h2', {}, `Compare ${a.runId} (A) with ${b.runId} (B)`));
    const byName = (r) => new Map((r.headline || []).map((m) => [m.name, m]));
    const ma = byName(a), mb = byName(b);
    const names = [...new Set([...ma.keys(), ...mb.keys()])];
    main.append(el('table', { id: 'headline-diff' },
      el('thead', {}, el('tr', {}, ['metric', 'A', 'B', 'B − A'].map((h) => el('th', {}, h)))),
      el('tbody', {}, names.map((name) => {
        const x = ma.get(name), y = mb.get(name);
        const cls = changeClass(x, y);
        return el('tr', { class: cls, 'data-metric': name },
          el('td', {}, name), el('td', { class: 'num' }, fmt(x && x.value)), el('td', { class: 'num' }, fmt(y && y.value)),
          el('td', { class: 'num delta' }, x && y ? fmtSigned(y.value - x.value) : 'only in ' + (x ? 'A' : 'B')));
      }))));
    const ca = a.configuration || {}, cb = b.configuration || {};
    const keys = [...new Set([...Object.keys(ca), ...Object.keys(cb)])]
      .filter((k) => JSON.stringify(ca[k]) !== JSON.stringify(cb[k]));
    if (keys.length) {
      main.append(el('h3', {}, 'Configuration differences'), el('table', { id: 'config-diff' },
        el('thead', {}, el('tr', {}, ['setting', 'A', 'B'].map((h) => el('th', {}, h)))),
        el('tbody', {}, keys.map((k) => el('tr', { class: 'changed' }, el('td', {}, k),
          el('td', { class: 'changed' }, JSON.stringify(ca[k]) ?? '—'), el('td', { class: 'changed' }, JSON.stringify(cb[k]) ?? '—'))))));
    }
    main.append(el('div', { class: 'compare' },
      el('section', {}, el('h2', {}, `A: ${a.runId}`), runSections(a)),
      el('section', {}, el('h2', {}, `B: ${b.runId}`), runSections(b))));
  }

  async function route() {
    state.charts.splice(0).forEach((c) => c.destroy());
    state.ready = false;
    app.replaceChildren();
    try {
      if (mode === 'export') {
        renderRunPage(JSON.parse(document.getElementById('ragline-report').textContent));
      } else {
        const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
        if (parts[0] === 'run' && parts.length === 2) {
          renderRunPage(await fetchJson(reportUrl(parts[1])));
        } else if (parts[0] === 'compare' && parts.length === 3) {
          const [a, b] = await Promise.all([fetchJson(reportUrl(parts[1])), fetchJson(reportUrl(parts[2]))]);
          renderCompare(a, b);
        } else {
          state.view = 'list';
          renderList(await fetchJson(api));
        }
      }
    } catch (e) {
      app.append(el('p', { class: 'error', id: 'load-error' }, 'Cannot show this view: ' + e.message));
    }
    state.ready = true;
  }

  window.addEventListener('hashchange', route);
  route();
})();
