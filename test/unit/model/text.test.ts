/**
 * The escaped form of names and command lines (src/model/text.ts): reversible,
 * free of anything a terminal obeys, and the identity on ordinary text.
 */
import fc from 'fast-check';
import { escapeAscii, escapeBytes, escapeCBytes, jsonSafe, plainText, terminalSafe, unescapeBytes } from '../../../src/model/text.js';

const CONTROLS = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

describe('escapeBytes / unescapeBytes', () => {
  test('any bytes come back exactly, and the escaped form holds no control character', () =>
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const escaped = escapeBytes(bytes);
        expect(CONTROLS.test(escaped)).toBe(false);
        expect(unescapeBytes(escaped).equals(Buffer.from(bytes))).toBe(true);
      }),
      { seed: 4242, numRuns: 2000 },
    ));

  test('ordinary text is its own escaped form', () =>
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        fc.pre(!CONTROLS.test(text) && !text.includes('\\x'));
        expect(escapeBytes(Buffer.from(text))).toBe(text);
      }),
      { seed: 4242, numRuns: 1000 },
    ));

  test('examples', () => {
    expect(escapeBytes(Buffer.from('t\x1b]0;x\x07\xff', 'latin1'))).toBe('t\\x1b]0;x\\x07\\xff');
    expect(escapeBytes(Buffer.from('café'))).toBe('café');
    expect(escapeBytes(Buffer.from('a\\b \\x41'))).toBe('a\\b \\x5cx41');
    expect(escapeBytes(Buffer.from('\u202eevil'))).toBe('\\xe2\\x80\\xaeevil');
    expect(unescapeBytes('/nl\\x0ax\\xff').equals(Buffer.from('/nl\nx\xff', 'latin1'))).toBe(true);
    expect(plainText('caf\\xc3\\xa9')).toBe('café');
    expect(plainText('bad\\xff')).toBe('bad\\xff');
  });
});

describe('what reaches a terminal or a file', () => {
  test('terminalSafe escapes controls only', () => {
    expect(terminalSafe('shmctl-ts: read: /a\x1b[2J: gone \\x41')).toBe('shmctl-ts: read: /a\\x1b[2J: gone \\x41');
  });

  test('util-linux byte escapes (C locale)', () => {
    expect(escapeCBytes(Buffer.from('café x\\y'), (b) => b === 0x20 || b === 0x5c)).toBe('caf\\xc3\\xa9\\x20x\\x5cy');
    expect(escapeAscii('café x\\y \\x5cxz')).toBe('caf\\xc3\\xa9 x\\y \\x5cxz');
  });

  test('jsonSafe keeps the value and escapes C1 and direction controls', () => {
    const value = 'a\u009b[2J\u202eb';
    const json = jsonSafe(JSON.stringify({ value }));
    expect(json).toBe('{"value":"a\\u009b[2J\\u202eb"}');
    expect(JSON.parse(json).value).toBe(value);
  });
});
