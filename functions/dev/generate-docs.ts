/** npm run docs: refreshes the generated blocks of the documentation. */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generatedBlocks, replaceBlock } from './docs';
import { generatedFiles } from './sourceFiles';

const root = resolve(__dirname, '..', '..');
for (const [file, blocks] of Object.entries(generatedBlocks())) {
  const path = resolve(root, file);
  let text = readFileSync(path, 'utf8');
  for (const [name, content] of Object.entries(blocks)) text = replaceBlock(text, name, content);
  writeFileSync(path, text);
  console.log(`updated ${file}`);
}
for (const [file, content] of Object.entries(generatedFiles())) {
  writeFileSync(resolve(root, file), content);
  console.log(`updated ${file}`);
}
