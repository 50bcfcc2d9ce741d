import type { QaReport } from '../types.ts';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
    // XML 1.0 forbids most control characters, which serial output and findings can contain.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** JUnit XML: one <testsuite> per phase (static, boot:bios, …), one <testcase> per check. */
export function toJUnit(report: QaReport): string {
  const phases = [...new Set(report.results.map((r) => r.phase))];
  const suites = phases.map((phase) => {
    const rs = report.results.filter((r) => r.phase === phase);
    const count = (s: string) => rs.filter((r) => r.status === s).length;
    const time = rs.reduce((t, r) => t + r.durationMs, 0) / 1000;
    const boot = report.boots.find((b) => `boot:${b.firmware}` === phase);
    const cases = rs.map((r) => {
      const name = esc(`${r.id} ${r.title}`);
      const text = esc(r.findings.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join('\n'));
      const body =
        r.status === 'fail' ? `<failure message="${esc(r.findings[0]?.message ?? 'failed')}">${text}</failure>`
        : r.status === 'error' ? `<error message="${esc(r.reason ?? 'error')}"/>`
        : r.status === 'skip' ? `<skipped message="${esc(r.reason ?? '')}"/>`
        : '';
      return `    <testcase classname="herd.qa.${esc(phase)}" name="${name}" time="${r.durationMs / 1000}">${body}</testcase>`;
    });
    return [
      `  <testsuite name="${esc(phase)}" tests="${rs.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skip')}" time="${time}">`,
      ...(boot ? bootProperties(boot) : []),
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="herd test ${esc(report.image)}">\n${suites.join('\n')}\n</testsuites>\n`;
}

/** The accelerator a boot phase really ran under, so a CI reader sees a KVM fallback without opening report.json. */
function bootProperties(b: QaReport['boots'][number]): string[] {
  const props: Array<[string, string | number | undefined]> = [
    ['accel', b.accel], ['accel-source', b.accelSource], ['accel-fallback', b.accelFallback?.reason],
    ['seconds-to-ssh', b.secondsToSsh],
  ];
  const lines = props.filter(([, v]) => v !== undefined).map(([k, v]) => `      <property name="${k}" value="${esc(String(v))}"/>`);
  return ['    <properties>', ...lines, '    </properties>'];
}
