/** Developer tooling: the Java check in front of `npm run test:rules`. */
import { javaMajor, javaProblem } from '../dev/requireJava';

describe('java -version', () => {
  it.each([
    ['openjdk version "21.0.5" 2024-10-15\nOpenJDK Runtime Environment', 21],
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['java version "1.8.0_392"', 8],
    ['openjdk version "23-ea" 2024-09-17', 23],
    ['java version "25" 2025-09-16 LTS', 25],
    ['something else', null],
  ])('%j is Java %j', (output, major) => {
    expect(javaMajor(output)).toBe(major);
  });

  it.each([
    ['openjdk version "21.0.5" 2024-10-15', null],
    ['openjdk version "25.0.1" 2025-10-21', null],
    ['openjdk version "17.0.15" 2025-04-15', 'Java 17 found; Java 21 or later is required.'],
    ['java version "1.8.0_392"', 'Java 8 found; Java 21 or later is required.'],
    [null, 'Java not found.'],
    ['garbage', 'Could not read the Java version'],
  ])('%j: %j', (output, problem) => {
    const message = javaProblem(output);
    if (problem === null) expect(message).toBeNull();
    else expect(message).toContain(problem);
    if (message) expect(message).toContain('Java 21 or later');
  });
});
