import type { z } from 'zod';
import type { ConfigIssue } from '../server/core/errors';
import { unknownNameOf } from './did-you-mean';
import { saidForZodText, say, type IssueParams, type Said } from './messages';
import type { ConfigPath } from './positions';

/** An issue at a place in the config (at `key` inside it, when given), positioned in the file. */
export type IssueAt = (path: ConfigPath, message: string | Said, key?: string) => ConfigIssue;

/** zod's own words (a wrong type, a short list), as a code the studio can word in Russian; English stays zod's. */
function zodSaid(issue: z.core.$ZodIssue): Said {
  const made = saidForZodText(issue.message);
  if (made) return made;
  const text = issue.message;
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      return say('wrong_type', { text, expected: issue.expected, received: input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input });
    case 'invalid_value':
      return say('one_of', { text, values: issue.values.map(String) });
    case 'too_small':
      return say('too_small', { text, origin: issue.origin, minimum: Number(issue.minimum) });
    case 'too_big':
      return say('too_big', { text, origin: issue.origin, maximum: Number(issue.maximum) });
    case 'invalid_format':
      return say('bad_format', { text, format: issue.format });
    case 'not_multiple_of':
      return say('not_multiple_of', { text, divisor: Number(issue.divisor) });
    default:
      return say('invalid_value', { text } satisfies IssueParams);
  }
}

export function zodIssues(issues: z.core.$ZodIssue[], issueAt: IssueAt): ConfigIssue[] {
  const result: ConfigIssue[] = [];
  for (const issue of issues) {
    const issuePath = issue.path as ConfigPath;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) result.push(issueAt(issuePath, say('unknown_key', { key }), key));
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0 && issue.message.startsWith('Invalid')) {
      result.push(issueAt(issuePath, zodSaid(issue)));
    } else if (issue.code === 'invalid_value' && typeof issue.input === 'string' && issue.message.startsWith('Invalid option') && issue.values.every((value) => typeof value === 'string')) {
      // `pick: least_busy` reads better as the value meant than as the list to choose from.
      const key = issuePath.findLast((step) => typeof step === 'string') ?? 'value';
      result.push(issueAt(issuePath, unknownNameOf(String(key), issue.input, issue.values as string[], issue.values.length)));
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      result.push(issueAt(issuePath, say('missing_key', { key: String(issuePath[issuePath.length - 1]) })));
    } else {
      result.push(issueAt(issuePath, zodSaid(issue)));
    }
  }
  return sortIssues(result);
}

export function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.col - b.col);
}
