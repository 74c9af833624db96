import type { z } from 'zod';
import type { ConfigIssue } from '../server/core/errors';
import { unknownName } from './did-you-mean';
import type { ConfigPath } from './positions';

/** An issue at a place in the config (at `key` inside it, when given), positioned in the file. */
export type IssueAt = (path: ConfigPath, message: string, key?: string) => ConfigIssue;

export function zodIssues(issues: z.core.$ZodIssue[], issueAt: IssueAt): ConfigIssue[] {
  const result: ConfigIssue[] = [];
  for (const issue of issues) {
    const issuePath = issue.path as ConfigPath;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) result.push(issueAt(issuePath, `unknown key "${key}"`, key));
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0 && issue.message.startsWith('Invalid')) {
      result.push(issueAt(issuePath, issue.message));
    } else if (issue.code === 'invalid_value' && typeof issue.input === 'string' && issue.message.startsWith('Invalid option') && issue.values.every((value) => typeof value === 'string')) {
      // `pick: least_busy` reads better as the value meant than as the list to choose from.
      const key = issuePath.findLast((step) => typeof step === 'string') ?? 'value';
      result.push(issueAt(issuePath, unknownName(String(key), issue.input, issue.values as string[], issue.values.length)));
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      result.push(issueAt(issuePath, `missing required key "${String(issuePath[issuePath.length - 1])}"`));
    } else {
      result.push(issueAt(issuePath, issue.message));
    }
  }
  return sortIssues(result);
}

export function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.col - b.col);
}
