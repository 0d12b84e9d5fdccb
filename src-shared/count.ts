/** "1 photo", "3 photos": a number with its noun, for the window's and the CLI's messages. */
export const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
