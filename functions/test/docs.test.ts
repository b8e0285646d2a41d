/** The documentation's generated blocks match the definitions they come from. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generatedBlocks, replaceBlock } from '../dev/docs';
import { generatedFiles } from '../dev/sourceFiles';

const root = resolve(__dirname, '..', '..');

describe.each(Object.entries(generatedBlocks()))('%s', (file, blocks) => {
  it.each(Object.entries(blocks))('block "%s" is up to date (run `npm run docs` after changing rules or params)', (name, content) => {
    const current = readFileSync(resolve(root, file), 'utf8');
    expect(replaceBlock(current, name, content)).toBe(current);
  });
});

describe('files generated from the source mapping', () => {
  it.each(Object.entries(generatedFiles()))('%s is up to date (run `npm run docs` after changing sources.json or the source model)', (file, content) => {
    expect(readFileSync(resolve(root, file), 'utf8')).toBe(content);
  });
});
