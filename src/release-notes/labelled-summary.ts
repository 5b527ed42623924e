import { DifferenceSummary, type RowDifference } from '../differential/differences.js';
import type { ReleaseNoteLabeller } from './labeller.js';

/**
 * A state differential's summary that keeps only what no release note explains: each row
 * difference is labelled as it arrives; rows a `replaced` rule holds come back by `finish` when
 * they were not replaced one for one.
 */
export class LabelledSummary extends DifferenceSummary {
  constructor(
    private readonly labeller: ReleaseNoteLabeller,
    private readonly check: string,
  ) {
    super();
  }

  override add(difference: RowDifference): void {
    const rest = this.labeller.stateRow(this.check, difference);
    if (rest !== undefined) super.add(rest);
  }

  /** Call once the comparison is done, before the summary is read. */
  finish(): this {
    for (const difference of this.labeller.finishRows(this.check)) super.add(difference);
    return this;
  }
}
