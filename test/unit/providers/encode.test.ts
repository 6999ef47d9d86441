import { describe, expect, it } from 'vitest';
import { dataText, encodeStreamEvent } from '../../../src/providers/index.ts';

describe('dataText: what a recorded event data goes out as', () => {
  it('sends text that is not JSON raw, as the provider did', () => {
    expect(dataText('[DONE]')).toBe('[DONE]');
    expect(dataText('hello')).toBe('hello');
    expect(dataText('{"cut off')).toBe('{"cut off');
    expect(dataText('-')).toBe('-');
    expect(dataText('')).toBe('');
  });

  it('quotes text that would read back as other JSON', () => {
    expect(dataText('{"a":1}')).toBe(JSON.stringify('{"a":1}'));
    expect(dataText(' \n[1]')).toBe(JSON.stringify(' \n[1]'));
    expect(dataText('true')).toBe('"true"');
    expect(dataText('-1.5')).toBe('"-1.5"');
    expect(dataText('"s"')).toBe(JSON.stringify('"s"'));
  });

  it('encodes values as JSON', () => {
    expect(dataText({ a: 'x\ny' })).toBe('{"a":"x\\ny"}');
    expect(dataText(undefined)).toBe('null');
  });
});

describe('SSE frames', () => {
  it('puts JSON data on one data: line', () => {
    expect(encodeStreamEvent('sse', { event: 'e', data: { text: 'a\nb' }, offset_ms: 0 })).toBe(
      'event: e\ndata: {"text":"a\\nb"}\n\n',
    );
  });

  it('splits raw text with line breaks over several data: lines', () => {
    expect(encodeStreamEvent('sse', { data: 'one\r\ntwo\rthree\nfour', offset_ms: 0 })).toBe(
      'data: one\ndata: two\ndata: three\ndata: four\n\n',
    );
  });
});
