import { basename } from 'node:path';
import { assertRunMarker } from '../run/marker.js';
import { assertSourcesUnchanged, sourceFiles } from '../run/source-identity.js';
import { loadRuleSet, checkRulesAgainstSchema } from '../sanitize/rules.js';
import { createMasker } from '../sanitize/maskers.js';
import { maskingSecret } from '../sanitize/masking-secret.js';
import { applyRules } from '../sanitize/apply.js';
import { provePiiRemoved } from '../sanitize/proof.js';
import { guardVendorScripts, runVendorScripts } from '../sanitize/vendor-scripts.js';
import { SafetyError } from '../errors.js';
import { maskProductionResult } from '../differential/masked-production.js';
import { maskProductionOnSqlServer } from './state-copies-sql-server.js';
import type { RunContext } from '../pipeline/context.js';

function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Masks the copy with the plan's rule set, then proves no personal data is left before billing. */
export async function sanitize(ctx: RunContext): Promise<string> {
  const engine = ctx.engine;
  if (engine === undefined) throw new Error('sanitize needs the restored database');
  await assertRunMarker(engine, ctx.run.runId, 'sanitize');
  const sources = sourceFiles(ctx.plan);
  assertSourcesUnchanged(sources, ctx.run.dir, 'Before sanitize');
  const ruleSet = loadRuleSet(ctx.plan.sanitize.rules);
  checkRulesAgainstSchema(ruleSet, await engine.tables());
  guardVendorScripts(ruleSet.vendorScripts, engine.kind);
  const masker = createMasker(maskingSecret(ctx.plan.sanitize.secretEnv), ctx.plan.sanitize.safeDomain);
  const tables = await applyRules(engine, ruleSet, masker, ctx.plan.sanitize.safeDomain, ctx.progress, { batchRows: ctx.plan.sanitize.batchRows });
  const vendorBatches = await runVendorScripts(engine, ctx.run.runId, ruleSet.vendorScripts, (b) =>
    ctx.progress.detail(`${basename(b.file)} batch ${b.batch} (line ${b.startLine}): ${b.rowsAffected.toLocaleString('en-US')} rows`),
  );
  if (vendorBatches.length > 0) {
    ctx.checks.push({
      id: 'sanitize-vendor-scripts',
      title: 'Vendor sanitize scripts ran in their declared order',
      status: 'passed',
      summary: `${count(ruleSet.vendorScripts.length, 'script')}, ${count(vendorBatches.length, 'batch', 'batches')}, ${count(vendorBatches.reduce((n, b) => n + b.rowsAffected, 0), 'row')} affected`,
      evidence: vendorBatches.map((b) => ({ script: basename(b.file), batch: b.batch, line: b.startLine, rows: b.rowsAffected })),
    });
  }
  const proof = await provePiiRemoved(engine, ruleSet, {
    safeDomain: ctx.plan.sanitize.safeDomain,
    productionHosts: [...ctx.plan.egress.mailServers, ...ctx.plan.egress.switches.map((s) => s.host)],
    productionDomains: ctx.plan.sanitize.productionDomains,
    safeHosts: ctx.plan.database.server !== undefined ? [ctx.plan.database.server] : [],
    allow: ctx.plan.sanitize.allow,
  });
  ctx.sanitize = { tables, proof };
  const blocking = proof.findings.filter((f) => f.allowedBecause === undefined);
  ctx.checks.push({
    id: 'sanitize-proof',
    title: 'No personal data, live card numbers or production hosts left after sanitizing',
    status: proof.passed ? (proof.unruledSensitiveColumns.length > 0 ? 'warning' : 'passed') : 'failed',
    summary: proof.passed
      ? `scanned ${proof.columnsScanned} text columns in ${proof.rowsScanned.toLocaleString('en-US')} rows: nothing found${proof.unruledSensitiveColumns.length > 0 ? `; no rule touches ${proof.unruledSensitiveColumns.join(', ')}` : ''}`
      : `found ${blocking.map((f) => `${f.kind} in ${f.column} (${f.count} rows)`).join(', ')}`,
    evidence: proof.findings.map((f) => ({ column: f.column, found: f.kind, rows: f.count, allowed: f.allowedBecause ?? 'no' })),
  });
  if (!proof.passed) {
    throw new SafetyError(
      `The sanitize proof found personal data after masking: ${blocking.map((f) => `${f.kind} in ${f.column} (${f.count} rows)`).join(', ')}. ` +
        `The bill run will not start. Add rules for these columns to ${ruleSet.file}, or allow a column in the plan's sanitize.allow with a written reason.`,
    );
  }
  if (ctx.plan.productionResult.kind === 'sqlite-file') {
    ctx.progress.detail("masking production's result alike, for the state differential");
    await maskProductionResult({
      productionResult: ctx.plan.productionResult.path,
      workDir: ctx.run.workDir,
      runId: ctx.run.runId,
      ruleSet,
      masker,
      safeDomain: ctx.plan.sanitize.safeDomain,
      progress: ctx.progress,
    });
  } else if (ctx.plan.productionResult.kind === 'mssql-database' && engine.kind === 'mssql') {
    ctx.progress.detail("copying production's result on the server and masking it alike, for the state differential");
    ctx.progress.detail(await maskProductionOnSqlServer(ctx, ruleSet, masker));
  }
  assertSourcesUnchanged(sources, ctx.run.dir, 'After sanitize');
  ctx.run.state.sanitizeProofPassed = true;
  ctx.run.save();
  const rows = tables.reduce((n, t) => n + t.rows, 0);
  const scripts = ruleSet.vendorScripts.length > 0 ? `, ${count(ruleSet.vendorScripts.length, 'vendor script')}` : '';
  return `${tables.length} rules, ${rows.toLocaleString('en-US')} rows masked${scripts}; proof passed`;
}
