import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from './model.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';

/** The files every report is written as, inside the run folder. */
export const REPORT_FILES = { json: 'report.json', markdown: 'report.md', html: 'report.html', junit: 'report.junit.xml' } as const;

/** Writes every rendering of a report into the run folder; returns the path people open first. */
export function writeReportFiles(report: Report, runDir: string): string {
  writeFileSync(join(runDir, REPORT_FILES.json), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(runDir, REPORT_FILES.html), renderHtml(report));
  writeFileSync(join(runDir, REPORT_FILES.junit), renderJunit(report));
  const markdown = join(runDir, REPORT_FILES.markdown);
  writeFileSync(markdown, renderMarkdown(report));
  return markdown;
}
