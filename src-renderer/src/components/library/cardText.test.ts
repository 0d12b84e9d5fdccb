import { describe, expect, it } from 'vitest';
import { refusal, sortTags } from './cardText';

describe('library card text', () => {
  it('ends a refusal with one full stop, however the API ended its message', () => {
    const err = { code: 'BAD_REQUEST', message: 'Invalid request', issues: [{ path: 'tags.1', message: 'A tag cannot be empty: type at least one character.' }] };
    expect(refusal(err, 'Saving the tags')).toBe('Saving the tags failed: tags.1: A tag cannot be empty: type at least one character.');
    const two = { code: 'BAD_REQUEST', message: 'Invalid request', issues: [
      { path: 'name', message: 'A name cannot be empty.' }, { path: '', message: 'Too long' },
    ] };
    expect(refusal(two, 'Renaming the run')).toBe('Renaming the run failed: name: A name cannot be empty; Too long.');
    expect(refusal(two, 'Renaming the run')).not.toMatch(/\.\.|\.;/);
  });

  it('sorts tags naturally (t2 before t10), not as text', () => {
    expect(sortTags(['t10', 't2', 't1', 't11', 'b', 'A'])).toEqual(['A', 'b', 't1', 't2', 't10', 't11']);
    const input = ['x2', 'x1'];
    sortTags(input);
    expect(input, 'the given list is not reordered').toEqual(['x2', 'x1']);
  });
});
