import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { foldCase } from './fold-case.js';

/** Code point → its C or F mapping, from the copy of CaseFolding.txt beside this file. */
const oracle = new Map<number, string>();
const statuses = { C: 0, F: 0 };
for (const line of readFileSync(new URL('./fold-case.case-folding.txt', import.meta.url), 'utf8').split('\n')) {
  if (line === '' || line.startsWith('#')) continue;
  const match = /^([0-9A-F]{4,6}); ([CF]); ([0-9A-F ]+);$/.exec(line);
  if (!match) throw new Error(`fold-case.case-folding.txt: unreadable line "${line}"`);
  const [, code = '', status = '', mapping = ''] = match;
  statuses[status as 'C' | 'F'] += 1;
  oracle.set(Number.parseInt(code, 16), String.fromCodePoint(...mapping.split(' ').map((h) => Number.parseInt(h, 16))));
}

/**
 * Characters the running Node.js knows. foldCase folds with Node's Unicode data, so a character
 * newer than it (the table may be newer) folds to itself until Node knows it.
 */
const assigned = (c: string) => !/\p{Cn}/u.test(c);

/** Full case folding straight from the table, wrapped in D145's normalization as foldCase is. */
function reference(value: string): string {
  let folded = '';
  for (const c of value.normalize('NFD')) folded += (assigned(c) && oracle.get(c.codePointAt(0) ?? 0)) || c;
  return folded.normalize('NFC');
}

function everyCodePoint(): string[] {
  const all: string[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const c = String.fromCodePoint(cp);
    if (assigned(c)) all.push(c);
  }
  return all;
}

const hex = (s: string) => [...s].map((c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()}`).join(' ');

describe('foldCase: Unicode full case folding (CaseFolding.txt C + F) in canonical caseless matching', () => {
  test('the copy of CaseFolding.txt is whole', () => {
    // 104 F entries up to Unicode 17, and U+1DF95 new in 18.
    assert.deepEqual(statuses, { C: 1501, F: 105 });
    assert.equal(oracle.size, 1606);
    assert.equal(oracle.get(0x41), 'a');
    assert.equal(oracle.get(0x1e921), '\u{1e943}');
  });

  test('every code point folds as CaseFolding.txt says', () => {
    const wrong = everyCodePoint()
      .filter((c) => foldCase(c) !== reference(c))
      .map((c) => `${hex(c)} → ${hex(foldCase(c))}, want ${hex(reference(c))}`);
    assert.deepEqual(wrong, []);
  });

  // The characters where folding is not JavaScript's toLowerCase(), and the cases the issue names.
  const table: [input: string, folded: string][] = [
    ['Straße@Contoso.com', 'strasse@contoso.com'],
    ['STRASSE@contoso.com', 'strasse@contoso.com'],
    ['ß', 'ss'],
    ['ẞ', 'ss'],
    ['ſ', 's'],
    ['ẛ', 'ṡ'],
    ['ﬀ', 'ff'],
    ['ﬁ', 'fi'],
    ['ﬂ', 'fl'],
    ['ﬃ', 'ffi'],
    ['ﬄ', 'ffl'],
    ['ﬅ', 'st'],
    ['ﬆ', 'st'],
    ['ŉ', 'ʼn'],
    ['\u01f0', '\u01f0'],
    ['J\u030c', '\u01f0'],
    ['ẖẗẘẙẚ', 'ẖẗẘẙaʾ'],
    ['µ', 'μ'],
    // F status: U+0130 folds to i + U+0307; the Turkic T mapping (to plain "i") is not used, nor
    // is "I" → "ı", and U+0131 dotless ı has no C or F mapping at all.
    ['İ', 'i\u0307'],
    ['I', 'i'],
    ['ı', 'ı'],
    ['ıI', 'ıi'],
    // Greek: final and lunate sigma, symbol variants, iota subscript and adscript.
    ['ΟΔΟΣ', 'οδοσ'],
    ['ς', 'σ'],
    ['ϐϑϕϖϰϱϵ', 'βθφπκρε'],
    ['ϴ', 'θ'],
    ['\u0345', 'ι'],
    ['ι', 'ι'],
    ['ᾳ', 'αι'],
    ['ᾼ', 'αι'],
    ['ᾈ', 'ἀι'],
    ['ᾷ', 'ᾶι'],
    ['\u0390', '\u0390'],
    ['\u1fd3', '\u0390'],
    ['\u03b0', '\u03b0'],
    ['\u1f50', '\u1f50'],
    // Cherokee folds to the capitals; small letters of Cyrillic variants to the plain letters.
    ['ꭰ', 'Ꭰ'],
    ['Ꭰ', 'Ꭰ'],
    ['ᏸ', 'Ᏸ'],
    ['Ᏸ', 'Ᏸ'],
    ['ᲀᲁᲂᲃᲄᲅᲆᲇᲈ', 'вдосттъѣꙋ'],
    // Armenian ligatures, letterlike symbols, and characters beyond the BMP.
    ['և', 'եւ'],
    ['ﬓﬔﬕﬖﬗ', 'մնմեմիվնմխ'],
    ['\u212a', 'k'],
    ['\u2126', 'ω'],
    ['\u212b', 'å'],
    ['Ⅻ', 'ⅻ'],
    ['Ⓐ', 'ⓐ'],
    ['𐐀', '𐐨'],
    ['𞤀', '𞤢'],
    // Canonical equivalents fold alike, and compatibility forms are not made equal.
    ['E\u0301', 'é'],
    ['ÄLICE@Example.COM', 'älice@example.com'],
    ['Ａ', 'ａ'],
    ['100%_\\', '100%_\\'],
    ['', ''],
  ];
  for (const [input, folded] of table) {
    test(`${JSON.stringify(input)} (${hex(input)}) folds to ${JSON.stringify(folded)}`, () => {
      assert.equal(foldCase(input), folded, `${hex(foldCase(input))}, want ${hex(folded)}`);
    });
  }

  test('userNames that differ only by case folding are one name', () => {
    const same: [string, string][] = [
      ['Straße@Contoso.com', 'STRASSE@contoso.com'],
      ['ſtrasse@x.com', 'strasse@x.com'],
      ['ﬁnance@x.com', 'FINANCE@x.com'],
      ['ΣΊΣΥΦΟΣ', 'σίσυφος'],
      ['σίσυφος', 'σίσυφοσ'],
      ['José@x.com', 'JOSE\u0301@x.com'],
    ];
    for (const [a, b] of same) {
      assert.equal(foldCase(a), foldCase(b), `${a} / ${b}`);
    }
    assert.notEqual(foldCase('ı@x.com'), foldCase('i@x.com'));
    assert.notEqual(foldCase('ａ@x.com'), foldCase('a@x.com'));
  });

  // Folding is per code point, then NFC recombines across neighbours: strings, not characters
  // alone, are what the next properties draw, weighted towards the characters that interact.
  const tricky = fc.constantFrom(
    ...['a', 'A', 's', 'S', 'i', 'I', 'j', 'e', 'E', 'α', 'Α', 'ι', 'Ι', 'η', 'ω', 'υ', 'σ', 'Σ', 'ς'],
    ...['ß', 'ẞ', 'ſ', 'ı', 'İ', 'ǰ', 'ﬁ', 'ﬃ', 'ᾳ', 'ᾼ', 'ᾷ', 'ΐ', 'ϊ', 'ί', 'Ꭰ', 'ꭰ', 'ᲀ', 'µ', 'ŉ', 'Ａ'],
    ...['\u0300', '\u0301', '\u0307', '\u0308', '\u030c', '\u0313', '\u0314', '\u0323', '\u0342', '\u0345'],
  );
  const strings = fc.oneof(
    fc.string({ unit: tricky, maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 6 }),
  );

  test('property: every string folds as the table says', () => {
    fc.assert(
      fc.property(strings, (s) => foldCase(s) === reference(s)),
      { numRuns: 3000 },
    );
  });

  test('property: folding is idempotent', () => {
    fc.assert(
      fc.property(strings, (s) => foldCase(foldCase(s)) === foldCase(s)),
      { numRuns: 3000 },
    );
  });

  test('property: canonically equivalent strings fold alike (D145)', () => {
    fc.assert(
      fc.property(strings, (s) => {
        const folded = foldCase(s);
        return foldCase(s.normalize('NFD')) === folded && foldCase(s.normalize('NFC')) === folded;
      }),
      { numRuns: 3000 },
    );
  });

  test('upper- and lower-casing a character never changes its fold, but for ı → I', () => {
    const upper = everyCodePoint().filter((c) => foldCase(c.toUpperCase()) !== foldCase(c));
    const lower = everyCodePoint().filter((c) => foldCase(c.toLowerCase()) !== foldCase(c));
    assert.deepEqual(upper.map(hex), ['U+131']);
    assert.deepEqual(lower.map(hex), []);
  });

  test('property: upper- and lower-casing a string of BMP letters never changes its fold', () => {
    const letter = fc
      .integer({ min: 0x41, max: 0xffff })
      .map((cp) => String.fromCharCode(cp))
      .filter((c) => /\p{L}/u.test(c) && c !== 'ı');
    fc.assert(
      fc.property(fc.string({ unit: letter, maxLength: 16 }), (s) => {
        const folded = foldCase(s);
        return foldCase(s.toUpperCase()) === folded && foldCase(s.toLowerCase()) === folded;
      }),
      { numRuns: 3000 },
    );
  });
});
