import fs from 'node:fs';
import path from 'node:path';
import { robotDefinitions } from '../../../robots';

/** A new robot type (its file plus a line in robots/index.ts) comes with its unit test here. */
describe('the robot unit tests', () => {
  const sources = fs
    .readdirSync(__dirname)
    .filter((file) => file.endsWith('.test.ts') && file !== path.basename(__filename))
    .map((file) => fs.readFileSync(path.join(__dirname, file), 'utf8'));

  it.each(robotDefinitions.map((definition) => definition.type))('cover %s', (type) => {
    expect(sources.some((source) => source.includes(`describe('${type}'`))).toBe(true);
  });
});
