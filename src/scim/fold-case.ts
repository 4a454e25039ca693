/**
 * The one case folding of the service, for attributes whose schema says `caseExact: false`.
 * NFC first, so a precomposed and a decomposed "Ä" fold to the same string; done in the
 * application because SQLite's lower() folds ASCII only (STACK.md).
 */
export function foldCase(value: string): string {
  return value.normalize('NFC').toLowerCase();
}
