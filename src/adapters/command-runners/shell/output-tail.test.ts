import { describe, expect, it } from 'vitest';
import { OutputTail } from './output-tail.js';

describe('OutputTail', () => {
  it('joins chunks split in the middle of lines and keeps the unfinished last line', () => {
    const tail = new OutputTail(3);
    for (const chunk of ['al', 'pha\nbe', 'ta\r\ngamma\n', 'delta']) tail.push(chunk);
    expect(tail.text()).toBe('beta\ngamma\ndelta');
  });

  it('cuts very long lines', () => {
    const tail = new OutputTail(5, 10);
    tail.push(`${'x'.repeat(50)}\nshort\n`);
    expect(tail.text()).toBe(`${'x'.repeat(10)}…\nshort`);
  });

  it('bounds a line that never ends', () => {
    const tail = new OutputTail(2, 10);
    for (let index = 0; index < 100; index += 1) tail.push('y'.repeat(10));
    expect(tail.text().length).toBeLessThanOrEqual(23);
  });
});
