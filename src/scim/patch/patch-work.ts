import { FoldOnce } from '../filter/evaluate-filter.js';
import { PATCH_WORK_BUDGET } from '../limits.js';
import { tooMany } from '../scim-error.js';

/**
 * The work one PATCH does beyond parsing, counted. Operations (MAX_PATCH_OPERATIONS), elements
 * (MAX_VALUES_PER_ATTRIBUTE) and filter terms (MAX_FILTER_TERMS) are each capped, but their
 * product is not: 1,000 operations each testing 100 elements against 50 terms is 5 million tests.
 * Every value-filter test and every element comparison charges this meter, and the PATCH fails
 * once it has spent PATCH_WORK_BUDGET units, before doing the work that would not fit.
 *
 * It also folds case (RFC 7643 §2.2 `caseExact: false`) once per distinct string: the same
 * stored e-mail is compared with every term of every operation, and NFC normalization of a long
 * string costs more than the comparison.
 */
export class PatchWork extends FoldOnce {
  private spent = 0;

  override charge(units: number): void {
    this.spent += units;
    if (this.spent > PATCH_WORK_BUDGET) {
      throw tooMany(
        `The PATCH is too expensive: its value filters and value comparisons need more than ${PATCH_WORK_BUDGET} steps, the limit for one PATCH (a step tests one value against one filter term, or compares two values); send fewer operations or simpler filters, or split the change into several PATCH requests`,
        'patch.tooExpensive',
      );
    }
  }
}
