import { ScimError } from '../../src/scim/scim-error.js';

/** Accepted, or the parts of the ScimError every route must agree on. */
export type Outcome =
  | 'accepted'
  | { readonly scimType: string | undefined; readonly code: string; readonly detail: string };

/** How `run` ends, for comparing routes that must accept and refuse alike (PATCH paths, list filters). */
export function outcome(run: () => unknown): Outcome {
  try {
    run();
    return 'accepted';
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    // PATCH names the operation first; what follows is the checker's detail.
    return { scimType: error.scimType, code: error.code, detail: error.detail.replace(/^Operations\[\d+\]: /, '') };
  }
}
