/** Display widths as glibc's wcwidth counts them (the table behind src/model/width.ts comes from glibc). */
import { displayWidth } from '../../../src/model/width.js';

test.each([
  ['', 0],
  ['small', 5],
  ['with space', 10],
  ['\\x1b[31m', 8], // an escaped control: its escape's characters
  ['é', 1],
  ['a\u0301b', 2], // a combining acute accent takes no column
  ['中文', 4],
  ['한글', 4],
  ['ｆｕｌｌ', 8], // fullwidth forms
  ['😀', 2],
  ['☃', 1], // a narrow symbol
  ['\u200b', 0], // zero width space
])('%j is %i columns', (text, width) => {
  expect(displayWidth(text)).toBe(width);
});
