import type { DoctorResult } from '../commands/doctor.js';

export function renderDoctor(d: DoctorResult): string {
  const lines = d.checks.map((c) => {
    const mark = c.ok ? 'ok  ' : c.required ? 'MISS' : 'no  ';
    const fix = !c.ok && c.fix ? `\n        fix: ${c.fix}` : '';
    return `[${mark}] ${c.name.padEnd(15)} ${c.detail}${fix}`;
  });
  if (d.missingRequired)
    lines.push('', 'a required tool is missing: install it with the command above (exit 3)');
  return lines.join('\n');
}
