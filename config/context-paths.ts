import { closest, distance } from 'fastest-levenshtein';
import Handlebars from 'handlebars';
import { z } from 'zod';
import { robotDefinitions } from '../robots';
import { contextSchema, customFieldsSchema, ITEM_KINDS, lookupPath, unwrap, type ItemKind } from '../server/core/context-schema';
import { LEAD_PIPELINE } from '../server/core/compiled-config';
import { helperNames, TEMPLATE_HELPERS, templateEnvironment } from '../server/core/template-helpers';
import { render, say, type IssueParams, type Said } from './messages';
import type { Config, RobotSpec } from './schema';

/**
 * Load-time checks of the paths conditions and templates read, against the context schema
 * (server/core/context-schema.ts): `item.responsibel` or `{{lead.nmae}}` is a config error with
 * a "did you mean", not a condition that is never true or a message with a hole in it.
 */

/** Who reads the context: which kind of item, and whether it is a template (which also gets `recipient`). */
export interface ContextReader {
  /** The kinds it runs for; empty when not known (a scoring rule, an unused template): either kind will do. */
  kinds: readonly ItemKind[];
  recipient: boolean;
}

/** A problem inside a template or text: 1-based line and column in it. */
export interface TextProblem {
  line: number;
  col: number;
  message: string;
  said: Said;
}

export type TextCheck = { ok: true; problems: TextProblem[] } | { ok: false; error: string };

/** One finding for one kind of item; `rank` (how far the path got, then whether a name is suggested) picks the best. */
interface Finding {
  key: string;
  said: Said;
  rank: number;
  line: number;
  col: number;
}

type RootSchema = ReturnType<typeof contextSchema>;

export class ContextPaths {
  private readonly schemas = new Map<string, RootSchema>();
  private customFields: z.ZodObject | undefined;

  constructor(private readonly fields: Config['fields']) {}

  /** What is wrong with a json-logic `var`, or null. */
  variable(variable: string, reader: ContextReader): Said | null {
    const [problem] = this.acrossKinds(reader, (root) => {
      const finding = pathFinding(root, variable.split('.'), { shown: variable, prefix: '', readers: 'conditions' });
      return finding ? [{ ...finding, key: variable }] : [];
    });
    return problem?.said ?? null;
  }

  /** Every path a handlebars text reads, walked from its AST; or why it does not parse. */
  text(source: string, reader: ContextReader): TextCheck {
    let program: hbs.AST.Program;
    try {
      program = Handlebars.parse(source);
    } catch (error) {
      return { ok: false, error: parseErrorText(error as Error) };
    }
    return { ok: true, problems: this.acrossKinds(reader, (root) => new TemplateWalk(root).program(program)) };
  }

  private schema(kind: ItemKind, recipient: boolean): RootSchema {
    const key = `${kind}:${recipient}`;
    let schema = this.schemas.get(key);
    if (!schema) {
      this.customFields ??= customFieldsSchema(this.fields);
      schema = contextSchema({ kind, fields: this.customFields, recipient });
      this.schemas.set(key, schema);
    }
    return schema;
  }

  /**
   * Checked once per kind the reader runs for. Known kinds: a path must hold on each, and one
   * that holds on leads only says "on a deal". Unknown kinds: a path that holds on either passes.
   */
  private acrossKinds(reader: ContextReader, check: (root: RootSchema) => Finding[]): TextProblem[] {
    const kinds = reader.kinds.length > 0 ? [...new Set(reader.kinds)] : ITEM_KINDS;
    const everyKind = reader.kinds.length > 0;
    const byKey = new Map<string, { best: Finding; kinds: ItemKind[] }>();
    for (const kind of kinds) {
      for (const finding of check(this.schema(kind, reader.recipient))) {
        const seen = byKey.get(finding.key);
        if (!seen) byKey.set(finding.key, { best: finding, kinds: [kind] });
        else {
          seen.kinds.push(kind);
          if (finding.rank > seen.best.rank) seen.best = finding;
        }
      }
    }
    const problems: TextProblem[] = [];
    for (const { best, kinds: failing } of byKey.values()) {
      const onAll = failing.length === kinds.length;
      if (!everyKind && !onAll) continue;
      const said: Said = onAll ? best.said : { code: best.said.code, params: { ...best.said.params, only_on: failing[0] ?? '' } };
      problems.push({ line: best.line, col: best.col, message: render(said), said });
    }
    return problems.sort((a, b) => a.line - b.line || a.col - b.col);
  }
}

/** Handlebars' parse error in one line: where, and what it found (its list of expected tokens left out). */
export function parseErrorText(error: Error): string {
  const [first = '', ...more] = error.message.split('\n');
  const found = /got '([^']+)'$/.exec(more.at(-1) ?? '')?.[1];
  if (more.length === 0 || found === undefined) return first;
  return `${first.replace(/:$/, '')}: unexpected ${found === 'EOF' ? 'end of text (a block left open?)' : found}`;
}

/** The problem with where it is inside a text of the YAML (the issue itself points at the key). */
export function inTextSaid(problem: TextProblem, source: string, part: string): Said {
  return say('in_text', { ...problem.said.params, inner: problem.said.code, part, text_col: problem.col, ...(source.includes('\n') ? { text_line: problem.line } : {}) });
}

/**
 * The robot keys rendered with handlebars: a message's `text` and `subject` (with `recipient`),
 * and any param its robot describes as handlebars (`create_task`'s `title`, `auto_callback`'s
 * `whisper`), rendered without one.
 */
const MESSAGE_KEYS = ['text', 'subject'];

export function robotTexts(robot: RobotSpec): Array<{ key: string; source: string; recipient: boolean }> {
  return [...new Set([...MESSAGE_KEYS, ...paramsDescribedAs(robot, /^handlebars\b/i)])].flatMap((key) => {
    const source = robot[key];
    return typeof source === 'string' ? [{ key, source, recipient: MESSAGE_KEYS.includes(key) }] : [];
  });
}

/** A robot's own json-logic params besides `condition` (`wait_for`'s `until`), checked like conditions. */
export function robotConditions(robot: RobotSpec): Array<{ key: string; rule: unknown }> {
  return paramsDescribedAs(robot, /^json-logic\b/i).flatMap((key) => (robot[key] === undefined ? [] : [{ key, rule: robot[key] }]));
}

/** The params of a robot's type whose description (what the editor shows) starts as `pattern` says. */
function paramsDescribedAs(robot: RobotSpec, pattern: RegExp): string[] {
  const definition = robotDefinitions.find((candidate) => candidate.type === robot.type);
  return Object.entries(definition?.params.shape ?? {})
    .filter(([, param]) => pattern.test(z.globalRegistry.get(param)?.description ?? ''))
    .map(([key]) => key);
}

/** The kinds of item each template is rendered for: those of the pipelines whose robots name it. */
export function templateKinds(config: Config): Map<string, Set<ItemKind>> {
  const kinds = new Map<string, Set<ItemKind>>();
  const pipelines: Array<[ItemKind, Config['leads']]> = [
    ['lead', config.leads],
    ...Object.entries(config.deals)
      .filter(([key]) => key !== LEAD_PIPELINE)
      .map(([, deal]): [ItemKind, Config['leads']] => ['deal', deal]),
  ];
  for (const [kind, pipeline] of pipelines) {
    for (const robot of pipeline.stages.flatMap((stage) => stage.robots)) {
      const definition = robotDefinitions.find((candidate) => candidate.type === robot.type);
      for (const reference of definition?.references?.(robot) ?? []) {
        if (reference.kind !== 'template') continue;
        const used = kinds.get(reference.value) ?? new Set<ItemKind>();
        used.add(kind);
        kinds.set(reference.value, used);
      }
    }
  }
  return kinds;
}

/** Closest known name, when it is close enough to be the one meant. */
function suggestion(value: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const best = closest(value, [...known]);
  const edits = distance(value, best);
  return edits <= Math.max(2, Math.ceil(best.length / 3)) && edits < Math.max(value.length, best.length) ? best : undefined;
}

/** A path that is not in `root`, as a finding (without key and place), or null when it is. */
function pathFinding(root: z.ZodType, segments: string[], display: { shown: string; prefix: string; readers: 'conditions' | 'templates'; where?: string }): Omit<Finding, 'key'> | null {
  const lookup = lookupPath(root, segments);
  if (lookup.found) return null;
  const { depth, known } = lookup;
  const above = segments.slice(0, depth);
  const named: IssueParams = { name: display.shown };
  if (display.where) named.inside = display.where;
  const base = { rank: 2 * depth, line: 1, col: 1 };
  const owner = above.length > 0 ? `${display.prefix}${above.join('.')}` : display.prefix ? display.prefix.replace(/\.$/, '') : display.where ? 'this' : undefined;
  const owned: IssueParams = owner === undefined ? {} : { owner };
  if (known.length === 0) return { ...base, said: say('unknown_variable', { ...named, ...owned, no_keys: 1 }) };
  const missing = segments[depth];
  const close = missing === undefined ? undefined : suggestion(missing, known);
  if (close !== undefined) {
    const corrected = [...above, close, ...segments.slice(depth + 1)];
    const meant = lookupPath(root, corrected).found ? corrected : [...above, close];
    return { ...base, rank: base.rank + 1, said: say('unknown_variable', { ...named, suggestion: `${display.prefix}${meant.join('.')}` }) };
  }
  return { ...base, said: say('unknown_variable', { ...named, ...owned, readers: display.readers, known: known.slice(0, 20), total: known.length }) };
}

const EACH_DATA = new Set(['index', 'key', 'first', 'last']);
const SAME_CONTEXT_BLOCKS = new Set(['if', 'unless']);

/** What `this` is at a point of a template: a known schema, or null where nothing is checked (an element of `event.items`). */
interface Scope {
  schema: z.ZodType | null;
  /** `{{#with contact}}`: said in messages about paths relative to it. */
  label: string;
  inEach: boolean;
  blockParams: Map<string, z.ZodType | null>;
}

/**
 * One pass over a template's AST for one kind of item. `#if`/`#unless` keep the context,
 * `#with x` and `#each x` change it (their `{{else}}` does not), `../` climbs, `@root.` starts
 * over, helper calls and sub-expressions have their parameters checked.
 */
class TemplateWalk {
  private readonly findings: Finding[] = [];

  constructor(private readonly root: z.ZodType) {}

  program(program: hbs.AST.Program): Finding[] {
    this.body(program, [{ schema: this.root, label: '', inEach: false, blockParams: new Map() }]);
    return this.findings;
  }

  private body(program: hbs.AST.Program | undefined, scopes: Scope[]): void {
    for (const statement of program?.body ?? []) this.statement(statement, scopes);
  }

  private statement(statement: hbs.AST.Statement, scopes: Scope[]): void {
    switch (statement.type) {
      case 'MustacheStatement': {
        const mustache = statement as hbs.AST.MustacheStatement;
        this.call(mustache.path, mustache.params, mustache.hash, scopes);
        return;
      }
      case 'BlockStatement':
        this.block(statement as hbs.AST.BlockStatement, scopes);
        return;
      case 'PartialStatement':
      case 'PartialBlockStatement': {
        const name = (statement as hbs.AST.PartialStatement).name;
        this.add(name.loc, say('unknown_partial', { name: name.type === 'PathExpression' ? name.original : '(…)' }), 0);
        return;
      }
      default:
        return;
    }
  }

  /** `{{path}}`, or `{{helper param key=value}}`. */
  private call(path: hbs.AST.PathExpression | hbs.AST.Literal, params: hbs.AST.Expression[], hash: hbs.AST.Hash | undefined, scopes: Scope[]): void {
    const isCall = params.length > 0 || (hash?.pairs.length ?? 0) > 0;
    if (path.type === 'PathExpression') {
      const named = path as hbs.AST.PathExpression;
      if (isCall) this.helper(named, params, hash);
      else if (!isHelperName(named) || isFormattingHelper(named)) this.path(named, scopes);
    }
    this.expressions(params, hash, scopes);
  }

  private block(block: hbs.AST.BlockStatement, scopes: Scope[]): void {
    const name = block.path.original;
    const inner = block.program?.blockParams ?? [];
    this.expressions(block.params, block.hash, scopes);
    if (SAME_CONTEXT_BLOCKS.has(name) && isHelperName(block.path)) {
      this.body(block.program, scopes);
    } else if ((name === 'with' || name === 'each') && isHelperName(block.path)) {
      const subject = block.params[0];
      const value = subject?.type === 'PathExpression' ? this.resolve(subject as hbs.AST.PathExpression, scopes) : null;
      const self = name === 'with' ? value : elementOf(value);
      const params = new Map<string, z.ZodType | null>();
      if (inner[0]) params.set(inner[0], self);
      if (inner[1]) params.set(inner[1], null);
      const label = `{{#${name} ${subject?.type === 'PathExpression' ? (subject as hbs.AST.PathExpression).original : '…'}}}`;
      this.body(block.program, [...scopes, { schema: self, label, inEach: name === 'each' || top(scopes).inEach, blockParams: params }]);
    } else if (block.params.length > 0 || (block.hash?.pairs.length ?? 0) > 0 || isHelperName(block.path)) {
      // A block helper of its own: what it passes down is not known.
      if (block.params.length > 0 || block.hash?.pairs.length) this.helper(block.path, block.params, block.hash);
      this.body(block.program, [...scopes, { schema: null, label: `{{#${name}}}`, inEach: true, blockParams: new Map() }]);
    } else {
      // A section `{{#contact}}…{{/contact}}`: an object or each element of a list becomes the
      // context; true keeps it.
      this.path(block.path, scopes);
      const value = this.resolve(block.path, scopes);
      const self = value === null ? null : unwrap(value);
      const isList = self instanceof z.ZodArray;
      const changes = self === null || isList || self instanceof z.ZodObject || self instanceof z.ZodRecord;
      if (changes) {
        this.body(block.program, [...scopes, { schema: isList ? elementOf(self) : self, label: `{{#${name}}}`, inEach: isList || top(scopes).inEach, blockParams: new Map() }]);
      } else this.body(block.program, scopes);
    }
    this.body(block.inverse, scopes);
  }

  private expressions(params: hbs.AST.Expression[], hash: hbs.AST.Hash | undefined, scopes: Scope[]): void {
    for (const expression of [...params, ...(hash?.pairs.map((pair) => pair.value) ?? [])]) {
      if (expression.type === 'PathExpression') this.path(expression as hbs.AST.PathExpression, scopes);
      else if (expression.type === 'SubExpression') {
        const sub = expression as hbs.AST.SubExpression;
        this.helper(sub.path, sub.params, sub.hash);
        this.expressions(sub.params, sub.hash, scopes);
      }
    }
  }

  private helper(path: hbs.AST.PathExpression, params: hbs.AST.Expression[], hash: hbs.AST.Hash | undefined): void {
    if (isHelperName(path)) {
      if (isFormattingHelper(path)) this.helperArguments(path, params, hash);
      return;
    }
    const known = helperNames();
    const close = suggestion(path.original, known);
    this.add(path.loc, say('unknown_helper', close ? { name: path.original, suggestion: close } : { name: path.original, known }), 0);
  }

  /** The arguments of a formatting helper (server/core/template-helpers.ts): how many, and text in quotes where text is due. */
  private helperArguments(path: hbs.AST.PathExpression, params: hbs.AST.Expression[], hash: hbs.AST.Hash | undefined): void {
    const name = path.original;
    const spec = TEMPLATE_HELPERS[name];
    if (!spec) return;
    const least = spec.arguments.filter((argument) => !argument.optional).length;
    const most = spec.arguments.some((argument) => argument.repeats) ? Infinity : spec.arguments.length;
    const usage = spec.arguments.map((argument) => (argument.optional ? `[${argument.name}]` : argument.repeats ? `${argument.name}…` : argument.name)).join(', ');
    if (params.length < least) this.add(path.loc, say('helper_needs_arguments', { name, usage }), 0);
    const extra = params[most];
    if (extra !== undefined) this.add(extra.loc, say('helper_too_many_arguments', { name, most, usage }), 0);
    params.forEach((param, index) => {
      const argument = spec.arguments[Math.min(index, spec.arguments.length - 1)];
      if (argument?.kind === 'string' && index < most && isNonTextLiteral(param)) {
        this.add(param.loc, say('helper_argument_not_text', { name, argument: argument.name, written: literalText(param), ...(name === 'date' || name === 'time' ? { example: 'd MMMM в HH:mm' } : {}) }), 0);
      }
    });
    const options = spec.options ?? [];
    for (const pair of hash?.pairs ?? []) {
      if (!options.includes(pair.key)) {
        const close = suggestion(pair.key, options);
        this.add(pair.loc, say('helper_unknown_option', close ? { name, option: pair.key, suggestion: close } : { name, option: pair.key, known: options }), 0);
      } else if (isNonTextLiteral(pair.value)) {
        this.add(pair.value.loc, say('helper_argument_not_text', { name, argument: pair.key, written: literalText(pair.value) }), 0);
      }
    }
  }

  private path(path: hbs.AST.PathExpression, scopes: Scope[]): void {
    const target = this.target(path, scopes);
    if (target === 'invalid' || target.schema === null || target.segments.length === 0) return;
    const shownPrefix = path.original.endsWith(target.segments.join('.')) ? path.original.slice(0, path.original.length - target.segments.join('.').length) : '';
    const finding = pathFinding(target.schema, target.segments, { shown: path.original, prefix: shownPrefix, readers: 'templates', where: target.label || undefined });
    if (finding) this.add(path.loc, finding.said, finding.rank);
  }

  /** The schema a path starts from and its segments from there; 'invalid' once reported. */
  private target(path: hbs.AST.PathExpression, scopes: Scope[]): { schema: z.ZodType | null; segments: string[]; label: string } | 'invalid' {
    if (path.data) {
      const [head, ...rest] = path.parts;
      if (head === 'root') return { schema: this.root, segments: rest, label: '' };
      if (head !== undefined && EACH_DATA.has(head) && rest.length === 0) {
        if (top(scopes).inEach) return { schema: null, segments: [], label: '' };
        this.add(path.loc, say('each_only_variable', { name: `@${head}` }), 0);
        return 'invalid';
      }
      this.add(path.loc, say('unknown_data_variable', { name: path.original }), 0);
      return 'invalid';
    }
    const scoped = /^(\.|this\b)/.test(path.original);
    const [name, ...rest] = path.parts;
    if (!scoped && path.depth === 0 && name !== undefined) {
      for (const { blockParams } of scopes.toReversed()) {
        if (blockParams.has(name)) return { schema: blockParams.get(name) ?? null, segments: rest, label: '' };
      }
    }
    const scope = scopeAt(scopes, path.depth);
    return { schema: scope.schema, segments: path.parts, label: scope.label };
  }

  private resolve(path: hbs.AST.PathExpression, scopes: Scope[]): z.ZodType | null {
    const target = this.target(path, scopes);
    if (target === 'invalid' || target.schema === null) return null;
    const lookup = lookupPath(target.schema, target.segments);
    return lookup.found ? lookup.value : null;
  }

  private add(loc: hbs.AST.SourceLocation | undefined, said: Said, rank: number): void {
    const line = loc?.start.line ?? 1;
    const col = (loc?.start.column ?? 0) + 1;
    this.findings.push({ key: `${line}:${col}`, said, rank, line, col });
  }
}

/** The scope `up` levels above the innermost one (`../`), the root scope at most. */
function scopeAt(scopes: Scope[], up: number): Scope {
  const scope = scopes[Math.max(0, scopes.length - 1 - up)];
  if (!scope) throw new Error('a template walk starts with the root scope');
  return scope;
}

function top(scopes: Scope[]): Scope {
  return scopeAt(scopes, 0);
}

/** `{{log}}`, `{{#if}}`, `{{date …}}`: a bare name of a registered helper. */
function isHelperName(path: hbs.AST.PathExpression): boolean {
  return !path.data && path.depth === 0 && path.parts.length === 1 && path.original === path.parts[0] && Object.hasOwn(templateEnvironment.helpers, path.parts[0]);
}

/** One of ours: called with no argument it reads the context's key of its name (`{{phone}}` inside `{{#with contact}}`). */
function isFormattingHelper(path: hbs.AST.PathExpression): boolean {
  return isHelperName(path) && Object.hasOwn(TEMPLATE_HELPERS, path.original);
}

function isNonTextLiteral(expression: hbs.AST.Expression): boolean {
  return ['NumberLiteral', 'BooleanLiteral', 'NullLiteral', 'UndefinedLiteral'].includes(expression.type);
}

function literalText(expression: hbs.AST.Expression): string {
  const literal = expression as hbs.AST.Literal;
  return 'value' in literal ? String(literal.value) : expression.type;
}

/** What `#each` makes `this`: a list's element, a map's value; unknown otherwise. */
function elementOf(value: z.ZodType | null): z.ZodType | null {
  if (value === null) return null;
  const self = unwrap(value);
  if (self instanceof z.ZodArray) return self.element as z.ZodType;
  if (self instanceof z.ZodRecord) return self.valueType as z.ZodType;
  return null;
}
