/**
 * The one case folding of the service, for attributes whose schema says `caseExact: false`.
 * NFC first, so a precomposed and a decomposed "Ä" fold to the same string; done in the
 * application because SQLite's lower() folds ASCII only (STACK.md). toLowerCase() writes a word-final
 * Greek sigma as "ς", which Unicode case folding maps to "σ"; doing the same makes "ΟΔΟΣ", "οδος"
 * and "οδοσ" one name.
 */
export function foldCase(value: string): string {
  return value.normalize('NFC').toLowerCase().replaceAll('ς', 'σ');
}
