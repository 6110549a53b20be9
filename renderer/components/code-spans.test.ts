import { describe, expect, it } from 'vitest';
import { codeSpans } from './code-spans';

describe('codeSpans', () => {
  it('turns backtick pairs into code parts', () => {
    expect(codeSpans('Name this image (`image: NAME`); run `werf build`.')).toEqual([
      { code: false, text: 'Name this image (' },
      { code: true, text: 'image: NAME' },
      { code: false, text: '); run ' },
      { code: true, text: 'werf build' },
      { code: false, text: '.' },
    ]);
  });

  it('keeps text without backticks whole', () => {
    expect(codeSpans('Shorten the address.')).toEqual([{ code: false, text: 'Shorten the address.' }]);
    expect(codeSpans('')).toEqual([]);
  });

  it('keeps an unpaired or empty backtick pair as written', () => {
    expect(codeSpans('a ` b')).toEqual([{ code: false, text: 'a ` b' }]);
    expect(codeSpans('x `` y `z`')).toEqual([{ code: false, text: 'x `` y ' }, { code: true, text: 'z' }]);
    expect(codeSpans('`a` and ` left')).toEqual([{ code: true, text: 'a' }, { code: false, text: ' and ` left' }]);
  });
});
