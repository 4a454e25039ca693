/**
 * The one case folding of the service, for attributes whose schema says `caseExact: false`
 * (RFC 7643 §2.2): userName uniqueness per organization, and `eq`/`co`/`sw`/`ew` filters, compare
 * the values this returns (the `_ci` columns hold them). It is computed here, in the application,
 * because the two databases fold differently or not at all (SQLite's lower() is ASCII only;
 * STACK.md), and it must be the same function wherever a value is stored or looked up.
 *
 * What it is: Unicode full case folding, the mappings of CaseFolding.txt with status C and F
 * (UAX #44; "ß" and "ẞ" fold to "ss", "ſ" to "s", "ﬁ" to "fi", "İ" to "i" + U+0307), without the
 * Turkic T mappings (one organization holds names from every language, and T would make "I" and
 * "i" different), wrapped in normalization as canonical caseless matching (Unicode §3.13, D145).
 * Compatibility forms stay apart: fullwidth "Ａ" folds to "ａ", not "a" (that would be NFKC).
 *
 * Why NFC(fold(NFD(x))): a userName is unique if no other userName is canonically equivalent to it
 * ignoring case, whatever form the IdP sent (macOS and some directories send decomposed "é").
 *  - NFD first, not NFC: folding does not commute with normalization around U+0345 COMBINING
 *    GREEK YPOGEGRAMMENI (it folds to a spacing "ι" and so changes how the marks after it order).
 *    "ᾼ" + U+0342 is already NFC and folding it gives "αι" + U+0342, which composes to "αῖ" (the
 *    mark lands on the ι); its NFD "Α" + U+0342 + U+0345 gives "ᾶι". Decomposing first, as D145
 *    does, makes every canonically equivalent form fold to "ᾶι".
 *  - NFC last: NFC(a) = NFC(b) exactly when NFD(a) = NFD(b), so the stored form compares as D145
 *    does, in the composed form IdPs send and people type, which is also the form `co`, `sw` and
 *    `ew` search (a folded "é" stays one character, so `sw "e"` does not match "é...").
 * The result is a fixed point (foldCase(foldCase(x)) === foldCase(x)), though not always of the
 * folding alone: "ǰ" folds to "j" + U+030C, which NFC writes as "ǰ" again.
 *
 * Size: a folded value can be longer than its input ("ß" → "ss", "ﬃ" → "ffi"), but no character
 * grows to more than 6 UTF-8 bytes per UTF-16 unit it took: folding reaches 5 (U+1F80 "ᾀ" →
 * U+1F00 U+03B9), and NFC alone, which the lower-casing before this had too, reaches 6 (U+0958 →
 * U+0915 U+093C, a composition exclusion). A value at INDEXED_MAX_LENGTH (512) is thus at most
 * 3,072 bytes, above the ~2,700 bytes of a PostgreSQL b-tree entry, but PostgreSQL compresses index
 * entries over ~512 bytes, and a value made almost only of the hundred-odd characters that expand
 * that much repeats itself: on PostgreSQL 15, 200 random 512-unit strings of them (folded: up to
 * 2,853 bytes) all went into a unique index, the largest compressed to 1,176 bytes. So the cap
 * stays on the value as sent; test/e2e/case-folding.test.ts stores such a userName.
 */
export function foldCase(value: string): string {
  if (isAscii(value)) return value.toLowerCase();
  return value.normalize('NFD').split(DOTLESS_I).map(foldRun).join(DOTLESS_I).normalize('NFC');
}

/** ASCII is already normalized and folds to its lower case: the common case, without the rest. */
function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0x7f) return false;
  }
  return true;
}

/**
 * Full case folding of text without U+0131. toUpperCase() applies the full upper-case mappings
 * (SpecialCasing.txt: "ß" → "SS", "ﬁ" → "FI", "ᾳ" → "ΑΙ"), and lower-casing that gives the C and F
 * folding of every character but the few below, which the test checks against CaseFolding.txt
 * for every code point. Both calls use the root locale, so no Turkic or Lithuanian rule applies.
 */
function foldRun(text: string): string {
  return text.toUpperCase().toLowerCase().replace(REPAIRS, repair);
}

/**
 * U+0131 LATIN SMALL LETTER DOTLESS I has no C or F entry (only "0049; T; 0131"), so it folds to
 * itself, yet it upper-cases to "I", which would make it "i". The text is cut around it instead.
 */
const DOTLESS_I = '\u0131';

/**
 * What lower(upper(c)) gets wrong, put right after the fact (each comes out of it only from the
 * characters named):
 *  - "ß" comes only from U+1E9E ẞ (whose upper case is itself): "1E9E; F; 0073 0073".
 *  - "ς" is what toLowerCase() writes for a word-final sigma (Final_Sigma, SpecialCasing.txt):
 *    "03C2; C; 03C3", so "ΟΔΟΣ", "οδος" and "οδοσ" are one name.
 *  - Cherokee folds to upper case ("13F8; C; 13F0", "AB70; C; 13A0"): the capitals came first
 *    (Unicode 3.0); when Unicode 8.0 added the small letters, folding kept mapping to the capitals
 *    so that folds computed before stayed valid (the case folding stability policy). lower(upper(c)) gives the small letters for all of them.
 */
const REPAIRS = /[ßς\u13f8-\u13fd\uab70-\uabbf]/g;

function repair(c: string): string {
  if (c === 'ß') return 'ss';
  if (c === 'ς') return 'σ';
  return c.toUpperCase();
}
