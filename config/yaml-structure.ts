import { Composer, isAlias, isMap, isNode, isPair, isScalar, isSeq, Lexer, type LineCounter, Parser, YAMLParseError, type CST, type Document, type Node, type YAMLError, type YAMLMap } from 'yaml';
import type { ConfigIssue } from '../server/core/errors';
import type { ConfigLimits } from './limits';
import { render, say, type Said } from './messages';

/** What YAML 1.2 allows in a file besides tab, LF, CR and printable characters: none of these. */
// eslint-disable-next-line no-control-regex -- these control characters are what the pattern is for
const NOT_YAML_CHARACTER = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uD800-\uDFFF\uFFFE\uFFFF]/u;

/** The first character YAML does not allow, at its line and column; null when there is none. */
export function strayControlCharacter(text: string): { line: number; col: number; message: Said } | null {
  const control = NOT_YAML_CHARACTER.exec(text);
  if (!control) return null;
  return { ...positionInText(text, control.index), message: notYamlCharacter(control[0]) };
}

function notYamlCharacter(character: string): Said {
  const code = `U+${character.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`;
  return say(character === '\0' ? 'nul_byte' : 'control_character', { character: code });
}

function positionInText(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) {
    line += 1;
    start = at + 1;
  }
  return { line, col: offset - start + 1 };
}

/**
 * parseDocument with the lexical tokens counted on the way (the yaml docs' way to feed the parser
 * one's own lexer; the rest is parseDocument's own loop): 8 MB of tiny values is 12 million
 * tokens, half a minute and 2 GB to parse, and stops at the limit instead.
 * uniqueKeys: false — the library compares every key with every earlier one (40,000 keys: 45 s);
 * checkStructure finds a repeated key in one pass.
 */
export function parseBounded(text: string, lineCounter: LineCounter, maxTokens: number): { document: Document.Parsed } | { denseAt: number } {
  const parser = new Parser(lineCounter.addNewLine);
  let denseAt = -1;
  function* tokens(): Generator<CST.Token> {
    lineCounter.addNewLine(0);
    let count = 0;
    for (const lexeme of new Lexer().lex(text)) {
      count += 1;
      if (count > maxTokens) {
        denseAt = parser.offset;
        return;
      }
      yield* parser.next(lexeme);
    }
    yield* parser.end();
  }
  let document: Document.Parsed | undefined;
  for (const next of new Composer({ prettyErrors: false, uniqueKeys: false }).compose(tokens(), true, text.length)) {
    if (!document) {
      document = next;
      continue;
    }
    document.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents; a config is one (a second `---` line?)'));
    break;
  }
  if (denseAt >= 0 || !document) return { denseAt: Math.max(denseAt, 0) };
  return { document };
}

export function yamlIssues(errors: YAMLError[], file: string, lineCounter: LineCounter, limits: ConfigLimits): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  let tooDeep = false;
  for (const error of errors) {
    const position = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    let [message = ''] = error.message.split('\n');
    // The parser recurses: a file nested thousands deep exhausts its stack (once is enough to say).
    if (/maximum call stack size exceeded/i.test(message)) {
      if (tooDeep) continue;
      tooDeep = true;
      message = `nested too deeply to read (a config nests at most ${limits.maxDepth} levels)`;
    }
    issues.push({ file, line: position.line, col: position.col, path: '(yaml)', message, code: 'yaml_syntax', params: { text: message, yaml: tooDeep ? 'TOO_DEEP' : error.code } });
  }
  return issues;
}

/**
 * One linear walk of the parsed YAML for what the library checks slowly or not at all: a key
 * written twice in one mapping (at the second one), nesting depth, and aliases — unknown, inside
 * their own anchor (an endless value), too many, or expanding to more values than any config
 * needs (a "billion laughs" file, which would otherwise hang the schema check).
 */
export function checkStructure(document: Document, lineCounter: LineCounter, file: string, limits: ConfigLimits): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (node: Node, said: Said): ConfigIssue => ({ file, ...lineCounter.linePos(node.range?.[0] ?? 0), path: '(yaml)', message: render(said), code: said.code, params: said.params });
  const anchors = new Map<string, Node>(); // name → the node it names at this point of the file
  const sizes = new Map<Node, number>(); // an anchored node → its values, aliases inside expanded
  const open = new Set<Node>(); // anchored collections being walked: an alias to one is a loop
  let anchorsAndAliases = 0;
  let expansion = 0;
  let stopped = false;
  // An explicit stack: a deeply nested file must not overflow the walker's own stack.
  const stack: Array<{ node: unknown; children: unknown[]; next: number; childDepth: number; size: number }> = [];

  const repeatedKeys = (map: YAMLMap) => {
    if (map.items.length < 2) return;
    const seen = new Set<string>();
    for (const { key } of map.items) {
      if (!isScalar(key)) continue;
      // As the key ends up in the loaded object: `1:` and `"1":` are one key, the second wins silently.
      const text = key.value === null ? '' : String(key.value);
      if (seen.has(text)) issues.push(at(key, say('duplicate_yaml_key', { key: text })));
      else seen.add(text);
    }
  };

  /** A leaf's size at once; a collection (or pair) is pushed and sized when left (-1). */
  const enter = (node: unknown, depth: number): number => {
    if (isPair(node)) {
      stack.push({ node, children: [node.key, node.value], next: 0, childDepth: depth, size: 0 });
      return -1;
    }
    if (!isNode(node)) return 0;
    if (isAlias(node) || node.anchor) {
      anchorsAndAliases += 1;
      if (anchorsAndAliases > limits.maxAnchorsAndAliases) {
        issues.push(at(node, say('too_many_aliases', { max: limits.maxAnchorsAndAliases })));
        stopped = true;
        return 0;
      }
    }
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) {
        issues.push(at(node, say('unknown_alias', { name: node.source })));
        return 1;
      }
      if (open.has(target)) {
        issues.push(at(node, say('alias_in_own_anchor', { name: node.source })));
        return 1;
      }
      const size = sizes.get(target) ?? 1;
      expansion += size;
      if (expansion > limits.maxAliasExpansion) {
        issues.push(at(node, say('alias_bomb', { max: limits.maxAliasExpansion })));
        stopped = true;
      }
      return size;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    if (isMap(node) || isSeq(node)) {
      if (depth > limits.maxDepth) {
        issues.push(at(node, say('nested_too_deep', { max: limits.maxDepth })));
        stopped = true;
        return 0;
      }
      if (isMap(node)) repeatedKeys(node);
      if (node.anchor) open.add(node);
      stack.push({ node, children: node.items, next: 0, childDepth: depth + 1, size: 1 });
      return -1;
    }
    if (node.anchor) sizes.set(node, 1);
    return 1;
  };

  enter(document.contents, 1);
  while (!stopped) {
    const frame = stack.at(-1);
    if (!frame) break;
    if (frame.next < frame.children.length) {
      const size = enter(frame.children[frame.next++], frame.childDepth);
      if (size >= 0) frame.size += size;
      continue;
    }
    stack.pop();
    if (isNode(frame.node) && frame.node.anchor) {
      sizes.set(frame.node, frame.size);
      open.delete(frame.node);
    }
    const parent = stack.at(-1);
    if (parent) parent.size += frame.size;
  }
  return issues;
}

export function firstAlias(document: Document): Node | undefined {
  const stack: unknown[] = [document.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) return node;
    if (isPair(node)) stack.push(node.value, node.key);
    else if (isMap(node) || isSeq(node)) stack.push(...[...node.items].reverse());
  }
  return undefined;
}
