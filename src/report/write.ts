import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from './model.js';
import { renderMarkdown } from './markdown.js';

/** Writes every rendering of a report into the run folder; returns the path people open first. */
export function writeReportFiles(report: Report, runDir: string): string {
  writeFileSync(join(runDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  const markdown = join(runDir, 'report.md');
  writeFileSync(markdown, renderMarkdown(report));
  return markdown;
}
