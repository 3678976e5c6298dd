/*
 * Draws the charts of an outbox-chaos report (index.html) from the JSON embedded in the page.
 * Everything else on the page is rendered ahead of time; this script only draws, offline, with uPlot.
 * Plain browser JS (no modules, no build step) because it is inlined into a single file.
 */
(function () {
  'use strict';

  var HEIGHT = 230;
  var dpr = function () {
    return window.devicePixelRatio || 1;
  };

  // ---- number formatting (mirrors harness/report/format.ts) -------------------------------------------
  function trim1(x) {
    var s = x.toFixed(1);
    return s.slice(-2) === '.0' ? s.slice(0, -2) : s;
  }
  function fmtMs(v) {
    if (v == null || !isFinite(v)) return '—';
    var a = Math.abs(v);
    if (a < 1000) return Math.round(v) + ' ms';
    if (a < 60000) return trim1(v / 1000) + ' s';
    return trim1(v / 60000) + ' min';
  }
  function fmtBytes(v) {
    if (v == null || !isFinite(v)) return '—';
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    while (Math.abs(v) >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return (i === 0 ? Math.round(v) : trim1(v)) + ' ' + units[i];
  }
  function fmtCount(v) {
    if (v == null || !isFinite(v)) return '—';
    return Math.round(v)
      .toString()
      .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }
  function fmtRate(v) {
    return v == null || !isFinite(v) ? '—' : trim1(v) + ' /s';
  }
  var FORMAT = { ms: fmtMs, bytes: fmtBytes, records: fmtCount, 'ops/s': fmtRate };
  function fmtSec(v) {
    return v == null ? '—' : trim1(v) + ' s';
  }

  // Tick steps that land on round numbers of each unit (uPlot's default steps are decimal).
  function bytesIncrs() {
    var out = [];
    for (var k = 0; k < 5; k++) for (var m = 1; m < 1024; m *= 2) out.push(m * Math.pow(1024, k));
    return out;
  }
  function intIncrs() {
    var out = [];
    for (var e = 0; e < 12; e++)
      [1, 2, 5].forEach(function (m) {
        out.push(m * Math.pow(10, e));
      });
    return out;
  }
  var INCRS = { bytes: bytesIncrs(), records: intIncrs(), ms: intIncrs() };
  /** y range of a chart with nothing to show: one round unit, so the empty axis still reads sensibly. */
  var EMPTY_MAX = { ms: 1000, bytes: 1024, records: 10, 'ops/s': 10 };

  function withAlpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + ((n >> 16) & 255) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }

  // ---- plugins ------------------------------------------------------------------------------------------

  /** Fault windows as translucent bands behind the series, named at the top; hovering names the window. */
  function faultBands(windows) {
    var tip;
    function xPx(u, v) {
      return u.valToPos(v, 'x', true);
    }
    return {
      hooks: {
        init: function (u) {
          tip = document.createElement('div');
          tip.className = 'fault-tip';
          tip.hidden = true;
          u.over.appendChild(tip);
        },
        drawClear: function (u) {
          var ctx = u.ctx,
            b = u.bbox,
            r = dpr();
          ctx.save();
          ctx.beginPath();
          ctx.rect(b.left, b.top, b.width, b.height);
          ctx.clip();
          windows.forEach(function (w) {
            var x0 = Math.max(b.left, xPx(u, w.start));
            var x1 = Math.min(b.left + b.width, xPx(u, w.end));
            if (x1 <= x0) return;
            ctx.fillStyle = w.fill;
            ctx.fillRect(x0, b.top, x1 - x0, b.height);
            ctx.fillStyle = w.color;
            ctx.globalAlpha = 0.55;
            ctx.fillRect(x0, b.top, Math.max(1, r), b.height);
            ctx.fillRect(x1 - Math.max(1, r), b.top, Math.max(1, r), b.height);
            ctx.globalAlpha = 1;
            ctx.font = '600 ' + 11 * r + 'px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
            // uPlot leaves its own text alignment on the context after drawing axes.
            ctx.textAlign = 'left';
            ctx.textBaseline = 'alphabetic';
            var label = w.fault;
            if (ctx.measureText(label).width + 8 * r <= x1 - x0) ctx.fillText(label, x0 + 5 * r, b.top + 14 * r);
          });
          ctx.restore();
        },
        setCursor: function (u) {
          var left = u.cursor.left;
          if (left == null || left < 0) {
            tip.hidden = true;
            return;
          }
          var x = u.posToVal(left, 'x');
          var hits = windows.filter(function (w) {
            return x >= w.start && x <= w.end;
          });
          if (hits.length === 0) {
            tip.hidden = true;
            return;
          }
          tip.textContent = hits
            .map(function (w) {
              return (
                w.fault +
                ' → ' +
                w.target +
                ' (' +
                fmtSec(w.start) +
                '–' +
                fmtSec(w.end) +
                ')' +
                (w.detail ? ': ' + w.detail : '')
              );
            })
            .join('\n');
          tip.hidden = false;
          var width = u.over.clientWidth;
          tip.style.left = Math.min(left + 10, Math.max(0, width - tip.offsetWidth)) + 'px';
        },
      },
    };
  }

  /** Dashed horizontal reference lines such as the lag budget. */
  function thresholds(lines, fmt) {
    return {
      hooks: {
        draw: function (u) {
          var ctx = u.ctx,
            b = u.bbox,
            r = dpr();
          lines.forEach(function (t) {
            var y = u.valToPos(t.value, 'y', true);
            if (y < b.top || y > b.top + b.height) return;
            ctx.save();
            ctx.strokeStyle = '#b91c1c';
            ctx.lineWidth = r;
            ctx.setLineDash([6 * r, 4 * r]);
            ctx.beginPath();
            ctx.moveTo(b.left, y);
            ctx.lineTo(b.left + b.width, y);
            ctx.stroke();
            ctx.fillStyle = '#b91c1c';
            ctx.font = 11 * r + 'px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
            ctx.textAlign = 'right';
            ctx.fillText(t.label + ' ' + fmt(t.value), b.left + b.width - 4 * r, y - 4 * r);
            ctx.restore();
          });
        },
      },
    };
  }

  // ---- charts -------------------------------------------------------------------------------------------

  var plots = [];
  var syncing = false;

  /** Zooming one chart (drag on x) zooms all of them, so a fault can be followed through the pipeline. */
  function syncZoom(u, key) {
    if (key !== 'x' || syncing) return;
    syncing = true;
    plots.forEach(function (p) {
      if (p !== u && p.status === 1) p.setScale('x', { min: u.scales.x.min, max: u.scales.x.max });
    });
    syncing = false;
  }

  /**
   * Series are joined on one x array, so at most cursor positions a given series has no sample (null). The legend
   * shows that series' nearest sample instead, if one lies within 2 % of the run length, rather than a dash.
   */
  function nearestValue(u, sidx, didx) {
    if (didx == null) return null;
    var xs = u.data[0],
      ys = u.data[sidx];
    var tol = Math.max(0.5, (xs[xs.length - 1] - xs[0]) * 0.02);
    for (var d = 1; d < xs.length; d++) {
      var lo = didx - d,
        hi = didx + d,
        any = false;
      if (lo >= 0 && xs[didx] - xs[lo] <= tol) {
        any = true;
        if (ys[lo] != null) return ys[lo];
      }
      if (hi < xs.length && xs[hi] - xs[didx] <= tol) {
        any = true;
        if (ys[hi] != null) return ys[hi];
      }
      if (!any) break;
    }
    return null;
  }

  function yRange(spec) {
    return function (u, min, max) {
      var hi = max != null && isFinite(max) ? max : 0;
      spec.thresholds.forEach(function (t) {
        // Show the budget line only when the data comes near it; otherwise it would flatten the series.
        if (hi >= t.value / 3) hi = Math.max(hi, t.value);
      });
      if (!(hi > 0)) return [0, EMPTY_MAX[spec.unit] || 1];
      return [0, hi * 1.08];
    };
  }

  function options(spec, payload, width) {
    var fmt = FORMAT[spec.unit] || fmtCount;
    var series = [
      {
        label: 'time',
        value: function (u, v) {
          return fmtSec(v);
        },
      },
    ];
    spec.series.forEach(function (s) {
      var points = s.style === 'points';
      series.push({
        label: s.label,
        stroke: s.color,
        width: points ? 0 : 1.5,
        fill: s.style === 'area' ? withAlpha(s.color, 0.1) : undefined,
        spanGaps: true,
        paths: points
          ? function () {
              return null;
            }
          : undefined,
        points: points
          ? { show: true, size: 5, width: 1, stroke: s.color, fill: withAlpha(s.color, 0.6) }
          : { show: false },
        value: function (u, v, sidx, didx) {
          return fmt(v != null ? v : nearestValue(u, sidx, didx));
        },
      });
    });
    var axisStyle = {
      stroke: '#64748b',
      grid: { stroke: '#eef1f5', width: 1 },
      ticks: { stroke: '#dfe3ea', width: 1, size: 4 },
      font: '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    };
    return {
      width: width,
      height: HEIGHT,
      series: series,
      scales: {
        x: {
          time: false,
          range: function () {
            return [0, payload.xMax];
          },
        },
        y: { range: yRange(spec) },
      },
      axes: [
        Object.assign({}, axisStyle, {
          values: function (u, splits) {
            return splits.map(function (v) {
              return trim1(v) + ' s';
            });
          },
        }),
        Object.assign({}, axisStyle, {
          size: 64,
          incrs: INCRS[spec.unit],
          values: function (u, splits) {
            return splits.map(fmt);
          },
        }),
      ],
      cursor: { sync: { key: 'outbox-chaos' }, drag: { x: true, y: false } },
      legend: { live: true },
      plugins: [faultBands(payload.windows), thresholds(spec.thresholds, fmt)],
      hooks: {
        setScale: [syncZoom],
        ready: [
          function (u) {
            u.root.parentElement.setAttribute('data-rendered', 'true');
          },
        ],
      },
    };
  }

  function render(container, spec, payload) {
    var width = container.clientWidth || 600;
    var u = new uPlot(options(spec, payload, width), spec.data, container);
    plots.push(u);
    if (spec.samples === 0) {
      var note = document.createElement('div');
      note.className = 'no-samples';
      note.textContent = 'no samples';
      u.over.appendChild(note);
      container.classList.add('is-empty');
    }
    var lastWidth = width;
    if (typeof ResizeObserver === 'function') {
      // Resizing inside the observer callback can trigger "ResizeObserver loop" errors; defer to a frame.
      new ResizeObserver(function () {
        requestAnimationFrame(function () {
          var w = container.clientWidth;
          if (w > 0 && w !== lastWidth) {
            lastWidth = w;
            u.setSize({ width: w, height: HEIGHT });
          }
        });
      }).observe(container);
    }
  }

  function main() {
    var el = document.getElementById('chart-data');
    if (!el) return;
    var payload = JSON.parse(el.textContent || '{}');
    payload.charts.forEach(function (spec) {
      var container = document.querySelector('[data-chart="' + spec.name + '"]');
      if (!container) return;
      try {
        render(container, spec, payload);
      } catch (err) {
        container.setAttribute('data-rendered', 'error');
        container.textContent = 'Chart could not be drawn: ' + (err && err.message ? err.message : err);
        console.error('chart ' + spec.name + ' failed', err);
      }
    });
  }

  // ---- small page helpers ------------------------------------------------------------------------------

  /** "Copy" buttons next to the replay command; clipboard access can be refused on file:// — then select. */
  function copyButtons() {
    document.querySelectorAll('[data-copy]').forEach(function (btn) {
      btn.addEventListener('click', function () {
        var target = document.getElementById(btn.getAttribute('data-copy'));
        if (!target) return;
        var text = target.textContent || '';
        var done = function () {
          btn.textContent = 'Copied';
          setTimeout(function () {
            btn.textContent = 'Copy';
          }, 1500);
        };
        var select = function () {
          var range = document.createRange();
          range.selectNodeContents(target);
          var sel = window.getSelection();
          if (sel) {
            sel.removeAllRanges();
            sel.addRange(range);
          }
        };
        if (navigator.clipboard && navigator.clipboard.writeText)
          navigator.clipboard.writeText(text).then(done, select);
        else select();
      });
    });
  }

  if (typeof uPlot !== 'function') {
    console.error('uPlot is missing: the report was rendered without its inlined chart library');
    return;
  }
  main();
  copyButtons();
})();
