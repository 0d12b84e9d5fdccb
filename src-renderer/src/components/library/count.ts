/** "1 photo", "3 photos": a number with its noun, for the drawer's cards and messages. */
export const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
