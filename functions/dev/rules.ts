/**
 * A structural reader for firestore.rules, for the checks `npm test` can make without the official
 * emulator (which alone compiles and evaluates rules): balanced blocks, which paths allow which
 * operations, which functions exist and are called. Not a compiler: the behaviour is tested by
 * rules-test/ under the official emulator.
 */

export interface AllowStatement {
  /** Full match path from the service root, e.g. `/databases/{database}/documents/analytics_events/{eventId}`. */
  path: string;
  operations: string[];
  condition: string;
}

export interface RulesOutline {
  version: string | null;
  service: string | null;
  allows: AllowStatement[];
  functions: string[];
  /** Names called anywhere (function-call syntax), built-ins included. */
  calls: string[];
}

/** Replaces comments and string contents with spaces (same length), so braces inside them do not count. */
export function blankCommentsAndStrings(source: string): string {
  let out = '';
  for (let index = 0; index < source.length;) {
    const char = source[index];
    if (char === '/' && source[index + 1] === '/') {
      const end = source.indexOf('\n', index);
      const stop = end === -1 ? source.length : end;
      out += ' '.repeat(stop - index);
      index = stop;
    } else if (char === '/' && source[index + 1] === '*') {
      const end = source.indexOf('*/', index + 2);
      if (end === -1) throw new Error(`Unterminated comment at offset ${index}`);
      out += source.slice(index, end + 2).replace(/[^\n]/g, ' ');
      index = end + 2;
    } else if (char === "'" || char === '"') {
      let end = index + 1;
      while (end < source.length && source[end] !== char) {
        if (source[end] === '\n') throw new Error(`Unterminated string at offset ${index}`);
        end += source[end] === '\\' ? 2 : 1;
      }
      if (end >= source.length) throw new Error(`Unterminated string at offset ${index}`);
      out += `${char}${' '.repeat(end - index - 1)}${char}`;
      index = end + 1;
    } else {
      out += char;
      index += 1;
    }
  }
  return out;
}

/** Throws naming the first unbalanced (, [ or {. */
export function checkBalanced(source: string): void {
  const code = blankCommentsAndStrings(source);
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: Array<{ char: string; line: number }> = [];
  let line = 1;
  for (const char of code) {
    if (char === '\n') line += 1;
    else if (char === '(' || char === '[' || char === '{') stack.push({ char, line });
    else if (char in pairs) {
      const open = stack.pop();
      if (!open || open.char !== pairs[char]) throw new Error(`Unbalanced "${char}" on line ${line}`);
    }
  }
  if (stack.length) throw new Error(`Unclosed "${stack[stack.length - 1].char}" opened on line ${stack[stack.length - 1].line}`);
}

export function outline(source: string): RulesOutline {
  checkBalanced(source);
  const code = blankCommentsAndStrings(source);
  const version = /rules_version\s*=\s*'(\d)'/.exec(source)?.[1] ?? null;
  const service = /service\s+([\w.]+)\s*\{/.exec(code)?.[1] ?? null;
  const allows: AllowStatement[] = [];
  const scopes: Array<{ path: string | null; depth: number }> = [];
  let depth = 0;
  const token = /match\s+(\S+)\s*\{|allow\s+([\w\s,]+?)\s*:\s*if\s+([^;]*);|\{|\}/g;
  for (let match = token.exec(code); match; match = token.exec(code)) {
    if (match[1] !== undefined) {
      depth += 1;
      scopes.push({
        path: source
          .slice(match.index, match.index + match[0].length)
          .replace(/^match\s+/, '')
          .replace(/\s*\{$/, ''),
        depth,
      });
    } else if (match[2] !== undefined) {
      const path = scopes.map((scope) => scope.path).join('');
      allows.push({
        path,
        operations: match[2].split(',').map((operation) => operation.trim()),
        condition: source
          .slice(match.index, match.index + match[0].length)
          .replace(/^allow[^:]*:\s*if\s+/, '')
          .replace(/;$/, '')
          .trim(),
      });
    } else if (match[0] === '{') {
      depth += 1;
    } else {
      if (scopes.length && scopes[scopes.length - 1].depth === depth) scopes.pop();
      depth -= 1;
    }
  }
  const functions = [...code.matchAll(/function\s+(\w+)\s*\(/g)].map((match) => match[1]);
  const calls = [...new Set([...code.matchAll(/(?<!function\s+)(?<![\w.])(\w+)\s*\(/g)].map((match) => match[1]))];
  return { version, service, allows, functions, calls };
}
