// What scripts/test.mjs prints at the end, and when it counts as CI. CommonJS so the test
// harness (compiled TypeScript) uses the same CI rule: test/harness/ci.ts.
'use strict';

/** True when CI is set to anything but "", "0" or "false" (CI=true on the CI runner). */
function isCI(value = process.env.CI) {
  return !!value && !['0', 'false'].includes(String(value).toLowerCase());
}

/**
 * The time-per-tier table: one row per tier (name, tests passed/failed/skipped, seconds, and
 * the seconds spent checking and installing its Debian packages), then a total row.
 */
function formatSummary(results) {
  const rows = [['tier', 'passed', 'failed', 'skipped', 'seconds', 'deps s']];
  const total = { tier: 'total', passed: 0, failed: 0, skipped: 0, seconds: 0, depsSeconds: 0 };
  for (const r of results) {
    rows.push([r.tier, r.passed, r.failed, r.skipped, r.seconds.toFixed(1), r.depsSeconds.toFixed(1)]);
    for (const k of ['passed', 'failed', 'skipped', 'seconds', 'depsSeconds']) total[k] += r[k];
  }
  rows.push([total.tier, total.passed, total.failed, total.skipped, total.seconds.toFixed(1), total.depsSeconds.toFixed(1)]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  return rows
    .map((row) => row.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  '))
    .join('\n');
}

module.exports = { isCI, formatSummary };
