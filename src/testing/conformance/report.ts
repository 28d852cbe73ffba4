import type { ConformanceProtocol } from './check.ts';
import type { ProtocolProbe } from './probe.ts';

/** One check's outcome: a record of the `--json` report. */
export interface ConformanceCheckResult {
  id: string;
  protocol: ConformanceProtocol;
  title: string;
  /** The chart transitions the check drove, by name (`run.in_progress → run.completed on thread.run.completed`). */
  transitions: string[];
  outcome: 'passed' | 'failed' | 'not offered';
  /** Why it failed, or what is not offered. */
  reason?: string;
  /** Deviations that do not fail it (a skipped status, a missing poll header). */
  warnings: string[];
  durationMs: number;
}

/** The whole report, as `--json` writes it. */
export interface ConformanceReport {
  baseURL: string;
  startedAt: string;
  durationMs: number;
  /** Whether connections were cut through the suite's fault proxy. */
  faults: boolean;
  /** What the server answered to each protocol's probe; `run`: its checks were asked for (`protocol`). */
  protocols: Record<ConformanceProtocol, ProtocolProbe & { run: boolean; passed: number; total: number }>;
  /** Offered checks that passed. */
  passed: number;
  /** Offered checks (not-offered ones excluded). */
  total: number;
  /** At least one check was offered, and every offered check passed. */
  ok: boolean;
  checks: ConformanceCheckResult[];
}

/**
 * The report as a table, one line per check (its protocol, result, and what failed and why, or
 * what it checks), a line per protocol, and last `conformance: P/T checks passed`.
 *
 * @example `process.stdout.write(formatConformanceReport(report))`
 */
export function formatConformanceReport(report: ConformanceReport): string {
  const width = Math.max(...report.checks.map((check) => check.id.length), 5);
  const lines = [`${'check'.padEnd(width)}  ${'protocol'.padEnd(10)}  ${'result'.padEnd(11)}  ${'moves'.padStart(5)}  detail`];
  for (const check of report.checks) {
    const moves = check.outcome === 'not offered' ? '' : String(check.transitions.length);
    lines.push(`${check.id.padEnd(width)}  ${check.protocol.padEnd(10)}  ${check.outcome.padEnd(11)}  ${moves.padStart(5)}  ${check.reason ?? check.title}`);
    for (const warning of check.warnings) lines.push(`${''.padEnd(width)}  ${''.padEnd(10)}  ${'warning'.padEnd(11)}  ${''.padStart(5)}  ${warning}`);
  }
  for (const [protocol, summary] of Object.entries(report.protocols)) {
    if (!summary.run) continue;
    lines.push(`${protocol}: ${summary.offered ? `${summary.passed}/${summary.total} passed` : `not offered (${summary.reason})`}`);
  }
  lines.push(`conformance: ${report.passed}/${report.total} checks passed${report.faults ? ' (with faults)' : ''}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The report as JUnit XML for CI systems: one `<testsuite>` per protocol, one `<testcase>` per
 * check (`<failure>` with the reason, `<skipped>` when not offered), the transitions it drove in
 * its `<system-out>`.
 *
 * @example `await writeFile('conformance.xml', conformanceJUnit(report));`
 */
export function conformanceJUnit(report: ConformanceReport): string {
  const suites = Object.keys(report.protocols).map((protocol) => {
    const checks = report.checks.filter((check) => check.protocol === protocol);
    const failures = checks.filter((check) => check.outcome === 'failed').length;
    const skipped = checks.filter((check) => check.outcome === 'not offered').length;
    const time = checks.reduce((sum, check) => sum + check.durationMs, 0) / 1000;
    const cases = checks.map((check) => {
      const body = [
        check.outcome === 'failed' ? `      <failure message="${xml(check.reason ?? 'failed')}"/>` : '',
        check.outcome === 'not offered' ? `      <skipped message="${xml(`not offered: ${check.reason ?? ''}`)}"/>` : '',
        check.transitions.length + check.warnings.length > 0
          ? `      <system-out>${xml([...check.warnings.map((warning) => `warning: ${warning}`), ...check.transitions].join('\n'))}</system-out>`
          : '',
      ].filter((line) => line !== '');
      const open = `    <testcase classname="conformance.${protocol}" name="${xml(check.id)}" time="${(check.durationMs / 1000).toFixed(3)}"`;
      return body.length === 0 ? `${open}/>` : `${open}>\n${body.join('\n')}\n    </testcase>`;
    });
    return [
      `  <testsuite name="conformance.${protocol}" tests="${checks.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}" timestamp="${report.startedAt}">`,
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  const failures = report.checks.filter((check) => check.outcome === 'failed').length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="assistant-machines conformance" tests="${report.checks.length}" failures="${failures}" time="${(report.durationMs / 1000).toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`;
}

function xml(text: string): string {
  // XML 1.0 cannot carry most control characters even escaped: drop them.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: they are what this removes
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
